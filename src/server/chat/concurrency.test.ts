import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { userWithSession } from "@/test/fixtures";
import { storeBotReply } from "@/test/replies";

let t: TestDatabase;
beforeAll(async () => {
  // PGlite runs one query at a time whatever the pool; PostgreSQL gets real parallel connections.
  t = await createTestDatabase({ poolMax: process.env.TEST_DB === "postgres" ? 24 : 6 });
});
afterAll(async () => {
  await t?.close();
});

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
  });
});
