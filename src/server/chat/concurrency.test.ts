/**
 * Sends, replies and reads at once through the app's own pg pool, on both databases. On PostgreSQL
 * the pool's 16 connections run in parallel. On PGlite they reach the embedded database's server
 * on loopback exactly as under `npm start`, where their statements queue and interleave by
 * connection and transaction: `overlapped()` checks after each scenario that the server really had
 * several connections waiting at once, so these tests race there too instead of passing by running
 * one query after another.
 */
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { userWithSession } from "@/test/fixtures";
import { storeBotReply } from "@/test/replies";

const IDLE_IN_TRANSACTION_TIMEOUT_MS = 1_500;

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 16, idleInTransactionTimeoutMs: IDLE_IN_TRANSACTION_TIMEOUT_MS });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  t.embedded?.resetPeaks();
});

/** On PGlite, the most connections the server saw waiting at once since the test began (PostgreSQL: parallel anyway). */
function expectOverlap(atLeast: number) {
  if (t.embedded) expect(t.embedded.stats().peakWaiting).toBeGreaterThanOrEqual(atLeast);
}

/** The tRPC code a call failed with, or "OK". */
const outcome = (call: Promise<unknown>) => call.then(() => "OK", (error: { code?: string }) => error.code ?? String(error));

/** Every message row of a session, and its counters, checked for the invariants: seq 1..N, messageCount = N. */
async function expectGapless(sessionId: string, rows: number) {
  const stored = await t.db.message.findMany({ where: { sessionId }, orderBy: { seq: "asc" } });
  expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: rows }, (_, i) => i + 1));
  const session = await t.db.chatSession.findUniqueOrThrow({ where: { id: sessionId } });
  expect(session.messageCount).toBe(rows);
  return stored;
}

/** A pg client of its own (not the app's pool), for holding a transaction open. */
async function rawClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  return client;
}

describe("idempotent sends (clientId)", () => {
  it("stores one row for one clientId sent 4 times in a row, and answers each with that message", async () => {
    const { caller, session } = await userWithSession(t.db);
    const send = (content: string) => caller.chat.sendMessage({ sessionId: session.id, content, clientId: "retry-1" });
    const first = await send("hello");
    const retries = [await send("hello"), await send("hello"), await send("edited on retry")];
    for (const retry of retries) expect(retry).toEqual(first);
    expect(await t.db.message.count({ where: { sessionId: session.id } })).toBe(1);
    expect((await caller.chat.getSession({ sessionId: session.id })).session.messageCount).toBe(1);
    // The next message still gets the next seq: retries used none.
    const next = await caller.chat.sendMessage({ sessionId: session.id, content: "next", clientId: "retry-2" });
    expect(next.message.seq).toBe(2);
  });

  it("stores one row per clientId when 30 clientIds are each sent 4 times at once, and answers all four with it", async () => {
    const { caller, session } = await userWithSession(t.db);
    const sends = Array.from({ length: 30 }, (_, i) => `race-${i}`).flatMap((clientId, i) =>
      Array.from({ length: 4 }, () => ({ clientId, call: caller.chat.sendMessage({ sessionId: session.id, content: `m ${i}`, clientId }) })),
    );
    const results = await Promise.all(sends.map((s) => s.call));
    const byClientId = new Map<string, Set<string>>();
    results.forEach((r, i) => byClientId.set(sends[i]!.clientId, (byClientId.get(sends[i]!.clientId) ?? new Set()).add(r.message.id)));
    expect([...byClientId.values()].map((ids) => ids.size)).toEqual(Array.from({ length: 30 }, () => 1));
    const rows = await expectGapless(session.id, 30);
    expect(rows.map((r) => r.clientId).sort()).toEqual([...byClientId.keys()].sort());
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(results.map((r) => r.message.id)));
    expectOverlap(4);
  });

  it("stores one row for one clientId sent 5 times at once, and answers all five with it", async () => {
    const { caller, session } = await userWithSession(t.db);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => caller.chat.sendMessage({ sessionId: session.id, content: "hello", clientId: "burst" })),
    );
    for (const result of results) expect(result).toEqual(results[0]);
    expect(results[0]!.message).toMatchObject({ seq: 1, clientId: "burst", content: "hello" });
    expect(await t.db.message.count({ where: { sessionId: session.id } })).toBe(1);
    expect((await caller.chat.getSession({ sessionId: session.id })).session.messageCount).toBe(1);
  });

  it("treats the same clientId in another session as a new message", async () => {
    const { caller, session, bot } = await userWithSession(t.db);
    const { session: other } = await caller.chat.createSession({ botId: bot.id });
    const a = await caller.chat.sendMessage({ sessionId: session.id, content: "hi", clientId: "shared" });
    const b = await caller.chat.sendMessage({ sessionId: other.id, content: "hi", clientId: "shared" });
    expect(b.message.id).not.toBe(a.message.id);
    expect(b.message).toMatchObject({ sessionId: other.id, seq: 1, clientId: "shared" });
    expect(await t.db.message.count({ where: { clientId: "shared", sessionId: { in: [session.id, other.id] } } })).toBe(2);
  });

  it("does not mistake another broken constraint for a repeated clientId", async () => {
    const { caller, session } = await userWithSession(t.db);
    await caller.chat.sendMessage({ sessionId: session.id, content: "hi", clientId: "first" });
    // A replyTo outside the session breaks a foreign key: that is BAD_REQUEST, even with a new clientId.
    await expect(
      caller.chat.sendMessage({ sessionId: session.id, content: "hi", clientId: "second", replyTo: "no-such-message" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await t.db.message.count({ where: { sessionId: session.id } })).toBe(1);
  });
});

describe("sends at once mixed with failing ones", () => {
  it("answers 200 sends at once, a third failing (unique, foreign key, bad input, not found), as each deserves, with exact rows", async () => {
    const { caller, session, bot } = await userWithSession(t.db);
    const { session: other } = await caller.chat.createSession({ botId: bot.id });
    const elsewhere = await caller.chat.sendMessage({ sessionId: other.id, content: "elsewhere" });
    const first = await caller.chat.sendMessage({ sessionId: session.id, content: "first", clientId: "first" });
    type Op = { kind: "new" | "duplicate" | "foreign-key" | "bad-input" | "not-found"; clientId?: string; run: () => Promise<unknown> };
    const ops: Op[] = [];
    const send = (input: Parameters<typeof caller.chat.sendMessage>[0]) => () => caller.chat.sendMessage(input);
    for (let i = 0; i < 130; i++) {
      const input = { sessionId: session.id, content: `new ${i}`, clientId: `c-${i}`, ...(i % 5 === 0 ? { replyTo: first.message.id } : {}) };
      ops.push({ kind: "new", clientId: `c-${i}`, run: send(input) });
      if (i < 30) ops.push({ kind: "duplicate", clientId: `c-${i}`, run: send(input) });
    }
    for (let i = 0; i < 15; i++) ops.push({ kind: "foreign-key", run: send({ sessionId: session.id, content: "x", clientId: `fk-${i}`, replyTo: elsewhere.message.id }) });
    for (let i = 0; i < 15; i++) ops.push({ kind: "bad-input", run: send({ sessionId: session.id, content: "  ", clientId: `bad-${i}` }) });
    for (let i = 0; i < 10; i++) ops.push({ kind: "not-found", run: send({ sessionId: `no-such-session-${i}`, content: "x" }) });
    expect(ops).toHaveLength(200);
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = ops.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [ops[i], ops[j]] = [ops[j]!, ops[i]!];
    }

    const calls = ops.map((op) => op.run());
    const outcomes = await Promise.all(calls.map(outcome));
    const expected = { new: "OK", duplicate: "OK", "foreign-key": "BAD_REQUEST", "bad-input": "BAD_REQUEST", "not-found": "NOT_FOUND" };
    const wrong = outcomes.map((o, i) => ({ kind: ops[i]!.kind, o })).filter(({ kind, o }) => o !== expected[kind]);
    expect(wrong).toEqual([]);

    const answers = new Map<string, string>();
    for (const [i, op] of ops.entries()) {
      if (op.kind !== "new" && op.kind !== "duplicate") continue;
      const { message } = (await calls[i]) as { message: { id: string } };
      expect(answers.get(op.clientId!) ?? message.id).toBe(message.id);
      answers.set(op.clientId!, message.id);
    }
    const rows = await expectGapless(session.id, 131);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set([first.message.id, ...answers.values()]));
    expect(rows.filter((r) => r.replyToId === first.message.id)).toHaveLength(26);
    await expectGapless(other.id, 1);
    expectOverlap(4);
  });
});

describe("connections that go away or stall mid-transaction", () => {
  /** Holds the session's row in an open transaction, as a send in progress would, with one uncommitted message. */
  async function holdSession(client: pg.Client, sessionId: string) {
    await client.query("BEGIN");
    await client.query(`UPDATE "ChatSession" SET "messageCount" = "messageCount" + 1 WHERE id = $1`, [sessionId]);
    await client.query(
      `INSERT INTO "Message" (id, "sessionId", "userId", seq, "senderType", "senderId", "senderName", content, status)
       SELECT 'held-' || $1, $1, "userId", "messageCount", 'user', "userId", 'held', 'uncommitted', 'sent' FROM "ChatSession" WHERE id = $1`,
      [sessionId],
    );
  }

  it("rolls back a client destroyed while it holds BEGIN; the sends waiting behind it proceed, gapless", async () => {
    const { caller, session } = await userWithSession(t.db);
    const doomed = await rawClient();
    doomed.on("error", () => {});
    await holdSession(doomed, session.id);
    const sends = Array.from({ length: 40 }, (_, i) => caller.chat.sendMessage({ sessionId: session.id, content: `after ${i}`, clientId: `a-${i}` }));
    await new Promise((r) => setTimeout(r, 150));
    const rolledBackBefore = t.embedded?.stats().rolledBack ?? 0;
    (doomed as unknown as { connection: { stream: { destroy: () => void } } }).connection.stream.destroy();
    await Promise.all(sends);
    const rows = await expectGapless(session.id, 40);
    expect(rows.some((r) => r.content === "uncommitted")).toBe(false);
    if (t.embedded) expect(t.embedded.stats().rolledBack).toBe(rolledBackBefore + 1);
    expectOverlap(4);
  });

  it("times out an owner idle in a transaction while a send waits: the owner fails with 25P03, the send succeeds", async () => {
    const { caller, session } = await userWithSession(t.db);
    const owner = await rawClient();
    const ownerError = new Promise<{ code?: string }>((resolve) => owner.on("error", (e) => resolve(e as { code?: string }))); // the FATAL, then the closed socket
    // PostgreSQL's own timeout for this session; the embedded server applies its own (set in beforeAll).
    if (t.kind === "postgres") await owner.query(`SET idle_in_transaction_session_timeout = ${IDLE_IN_TRANSACTION_TIMEOUT_MS}`);
    const timeoutsBefore = t.embedded?.stats().idleTimeouts ?? 0;
    await holdSession(owner, session.id);
    // The same process holds a transaction on one connection and waits for a send on another.
    const started = Date.now();
    const sent = await caller.chat.sendMessage({ sessionId: session.id, content: "waited", clientId: "waited" });
    expect(Date.now() - started).toBeGreaterThan(IDLE_IN_TRANSACTION_TIMEOUT_MS / 2);
    expect(sent.message.seq).toBe(1);
    expect((await ownerError).code).toBe("25P03");
    await expectGapless(session.id, 1);
    if (t.embedded) expect(t.embedded.stats().idleTimeouts).toBe(timeoutsBefore + 1);
    await owner.end().catch(() => {});
  });
});

describe("counters under concurrency", () => {
  it("keeps messageCount, seq and unreadCount exact across 200 sends, bot replies and markReads at once", async () => {
    const { caller, session, bot } = await userWithSession(t.db);
    // The bot's replies answer this one (a reply always answers a user's message).
    await caller.chat.sendMessage({ sessionId: session.id, content: "first" });
    type Op = () => Promise<unknown>;
    const ops: Op[] = [];
    for (let i = 0; i < 200; i++) ops.push(() => caller.chat.sendMessage({ sessionId: session.id, content: `user ${i}` }));
    for (let i = 0; i < 60; i++) ops.push(() => storeBotReply(t.db, { sessionId: session.id, bot, content: `bot ${i}` }));
    const markReads: Promise<{ markedRead: number }>[] = [];
    for (let i = 0; i < 30; i++) ops.push(() => {
      const call = caller.chat.markRead({ sessionId: session.id });
      markReads.push(call);
      return call;
    });
    // A fixed shuffle, so a failure reproduces.
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = ops.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [ops[i], ops[j]] = [ops[j]!, ops[i]!];
    }
    await Promise.all(ops.map((op) => op()));

    const rows = await t.db.message.findMany({ where: { sessionId: session.id }, orderBy: { seq: "asc" } });
    const { session: after } = await caller.chat.getSession({ sessionId: session.id });
    expect(rows).toHaveLength(261);
    expect(after.messageCount).toBe(rows.length);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    const delivered = rows.filter((r) => r.senderType === "bot" && r.status === "delivered").length;
    expect(after.unreadCount).toBe(delivered);
    const marked = (await Promise.all(markReads)).reduce((sum, r) => sum + r.markedRead, 0);
    expect(marked + delivered).toBe(60);
    expect(rows.filter((r) => r.senderType === "bot" && r.status === "read")).toHaveLength(marked);
    // The list preview names the newest message.
    const listed = (await caller.chat.listSessions()).sessions.find((s) => s.id === session.id)!;
    expect(listed.lastMessage?.id).toBe(rows.at(-1)!.id);
    expect(listed.lastActiveAt).toEqual(rows.at(-1)!.createdAt);

    // And the next markRead turns exactly what is left.
    expect((await caller.chat.markRead({ sessionId: session.id })).markedRead).toBe(delivered);
    expect((await caller.chat.getSession({ sessionId: session.id })).session.unreadCount).toBe(0);
    expectOverlap(8);
  });
});
