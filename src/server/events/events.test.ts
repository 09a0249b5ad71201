/**
 * chat.onEvent on a real database: the caller's events in order and only theirs, resumed after
 * lastEventId from the log (also by a "restarted server": a new bus and connection), payloads with
 * their types, and the concurrent-writers trap (seqs handed out before commit) closed: a reader
 * resuming in a loop while many writers commit sees every event once, in order, with no gap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatEvent } from "@/shared";
import { createCaller } from "@/server/api/root";
import { createDb } from "@/server/db";
import { noRateLimits } from "@/server/rate-limit";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, createUser, userWithSession } from "@/test/fixtures";
import { LocalEventBus, PostgresEventBus } from "./bus";
import { pruneEvents } from "./log";
import { userEvents } from "./subscription";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: process.env.TEST_DB === "postgres" ? 24 : 10 });
});
afterAll(async () => {
  await t?.close();
});

type Received = { id: string; event: ChatEvent };

type Stream = AsyncGenerator<[string, ChatEvent, symbol]>;

/** Reads from a subscription until `count` events arrived (or `ms` passed), then ends it. */
async function take(stream: Stream, count: number, ms = 5_000): Promise<Received[]> {
  const received: Received[] = [];
  const deadline = Date.now() + ms;
  try {
    while (received.length < count && Date.now() < deadline) {
      const next = await Promise.race([stream.next(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (!next || next.done) break;
      // tracked(id, data) is the envelope [id, data, marker].
      received.push({ id: next.value[0], event: next.value[1] });
    }
  } finally {
    void stream.return(undefined);
  }
  return received;
}

/** The subscription as the router runs it, with an abort signal like a request's. */
function subscribe(userId: string, options: { sessionId?: string; lastEventId?: string | null } = {}, bus = t.services.bus) {
  const controller = new AbortController();
  const stream = userEvents({ db: t.db, bus }, userId, { ...options, signal: controller.signal }) as unknown as Stream;
  return { stream, stop: () => controller.abort() };
}

describe("chat.onEvent", () => {
  it("delivers the caller's events in order as they happen, with Dates as Dates", async () => {
    const { user, caller, session } = await userWithSession(t.db);
    const sub = subscribe(user.id);
    const received = take(sub.stream, 4);
    await new Promise((r) => setTimeout(r, 50));
    const first = await caller.chat.sendMessage({ sessionId: session.id, content: "one" });
    await caller.chat.sendMessage({ sessionId: session.id, content: "two" });
    const events = await received;
    expect(events.map((e) => [e.event.type, "message" in e.event ? e.event.message.content : null])).toEqual([
      ["message.created", "one"], ["session.updated", null], ["message.created", "two"], ["session.updated", null],
    ]);
    const ids = events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const created = events[0]!.event as Extract<ChatEvent, { type: "message.created" }>;
    expect(created.message).toEqual(first.message);
    expect(created.message.createdAt).toBeInstanceOf(Date);
    expect((events[1]!.event as Extract<ChatEvent, { type: "session.updated" }>).session.lastActiveAt).toBeInstanceOf(Date);
  });

  it("never delivers another user's events", async () => {
    const alice = await userWithSession(t.db, "Alice");
    const bob = await userWithSession(t.db, "Bob");
    const sub = subscribe(bob.user.id);
    const received = take(sub.stream, 1, 1_000);
    await new Promise((r) => setTimeout(r, 50));
    await alice.caller.chat.sendMessage({ sessionId: alice.session.id, content: "private" });
    expect(await received).toEqual([]);
  });

  it("with a sessionId, delivers that session's events only", async () => {
    const { user, caller, session, bot } = await userWithSession(t.db);
    const { session: other } = await caller.chat.createSession({ botId: bot.id });
    const sub = subscribe(user.id, { sessionId: session.id });
    const received = take(sub.stream, 2);
    await new Promise((r) => setTimeout(r, 50));
    await caller.chat.sendMessage({ sessionId: other.id, content: "elsewhere" });
    await caller.chat.sendMessage({ sessionId: session.id, content: "here" });
    const events = await received;
    expect(events.every((e) => e.event.sessionId === session.id)).toBe(true);
    expect(events.map((e) => e.event.type)).toEqual(["message.created", "session.updated"]);
  });

  it("resumes after lastEventId with exactly the rest, read back from the database, also by a restarted server", async () => {
    const { user, caller, session } = await userWithSession(t.db);
    const baseline = (await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).eventSeq;
    for (let i = 0; i < 5; i++) await caller.chat.sendMessage({ sessionId: session.id, content: `m${i}` });
    const all = await take(subscribe(user.id, { lastEventId: String(baseline) }).stream, 10);
    expect(all.map((e) => Number(e.id))).toEqual(Array.from({ length: 10 }, (_, i) => baseline + i + 1));

    // A new process: its own connection and bus, nothing in memory.
    const restarted = createDb(t.url, { max: 2 });
    const bus = new LocalEventBus(restarted.db);
    try {
      const stream = userEvents({ db: restarted.db, bus }, user.id, { lastEventId: all[3]!.id }) as unknown as Stream;
      const rest = await take(stream, 6);
      expect(rest.map((e) => e.id)).toEqual(all.slice(4).map((e) => e.id));
      expect(rest.map((e) => e.event)).toEqual(all.slice(4).map((e) => e.event));
    } finally {
      await restarted.db.$disconnect();
    }
  });

  it("starts from now without lastEventId, and from the newest event for an id from the future", async () => {
    const { user, caller, session } = await userWithSession(t.db);
    await caller.chat.sendMessage({ sessionId: session.id, content: "old" });
    const sub = subscribe(user.id, { lastEventId: "999999999" });
    const received = take(sub.stream, 1);
    await new Promise((r) => setTimeout(r, 50));
    await caller.chat.sendMessage({ sessionId: session.id, content: "new" });
    const [event] = await received;
    expect(event!.event).toMatchObject({ type: "message.created", message: { content: "new" } });
  });

  it("refuses another user's sessionId with NOT_FOUND, and a malformed lastEventId with BAD_REQUEST", async () => {
    const alice = await userWithSession(t.db, "Alice");
    const bob = await userWithSession(t.db, "Bob");
    await expect(bob.caller.chat.onEvent({ sessionId: alice.session.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(bob.caller.chat.onEvent({ lastEventId: "12; DROP" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("the event log", () => {
  it("is pruned by age, keeping what is younger", async () => {
    const { user, caller, session } = await userWithSession(t.db);
    await caller.chat.sendMessage({ sessionId: session.id, content: "old" });
    await t.db.chatEvent.updateMany({ where: { userId: user.id }, data: { createdAt: new Date(Date.now() - 200 * 3600_000) } });
    await caller.chat.sendMessage({ sessionId: session.id, content: "new" });
    expect(await pruneEvents(t.db, 168)).toBeGreaterThanOrEqual(2);
    const left = await t.db.chatEvent.findMany({ where: { userId: user.id } });
    expect(left).toHaveLength(2);
  });
});

describe("concurrent writers", () => {
  // On PGlite every statement runs alone, so writers cannot interleave there: the race this guards
  // against (a lower seq committing after a higher one was read) only exists on PostgreSQL.
  it.runIf(process.env.TEST_DB === "postgres")(
    "a reader resuming in a loop sees every event once, in order, while 8 writers commit at once",
    async () => {
      const user = await createUser(t.db);
      const caller = callerFor(t.db, user);
      const bots = await Promise.all(Array.from({ length: 8 }, () => t.db.bot.findFirstOrThrow({ where: { agentId: { not: null } } })));
      const sessions = await Promise.all(bots.map((bot) => caller.chat.createSession({ botId: bot.id }).then((r) => r.session)));
      const base = (await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).eventSeq;
      const perWriter = 40;

      let writing = true;
      const writers = Promise.all(
        sessions.map(async (session, w) => {
          for (let i = 0; i < perWriter; i++) {
            await caller.chat.sendMessage({ sessionId: session.id, content: `w${w} #${i}` });
            if (i % 3 === 0) await caller.chat.markRead({ sessionId: session.id });
          }
        }),
      ).finally(() => {
        writing = false;
      });

      const seen: number[] = [];
      let lastEventId = String(base);
      // Resume over and over: a few events per connection, each time from the last one seen.
      while (writing || seen.length === 0 || seen.at(-1)! < (await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).eventSeq) {
        const batch = await take(subscribe(user.id, { lastEventId }).stream, 7, 300);
        for (const e of batch) seen.push(Number(e.id));
        if (batch.length) lastEventId = batch.at(-1)!.id;
      }
      await writers;
      const total = (await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).eventSeq - base;
      expect(total).toBeGreaterThanOrEqual(8 * perWriter * 2);
      expect(seen).toEqual(Array.from({ length: total }, (_, i) => base + i + 1));
    },
    120_000,
  );
});

describe("several instances (LISTEN/NOTIFY)", () => {
  it.runIf(process.env.TEST_DB === "postgres")("delivers events written through one instance to a subscriber on another, in order, once", async () => {
    const { user, session } = await userWithSession(t.db);
    const other = createDb(t.url, { max: 4 });
    const busA = new PostgresEventBus(t.db, t.url);
    const busB = new PostgresEventBus(other.db, t.url);
    await Promise.all([busA.listening(), busB.listening()]);
    // Instance A: its writes announce themselves through its own bus, as a server's do.
    const chat = { ...t.services.deps, events: busA };
    const caller = createCaller({ db: t.db, chat, bus: busA, user, clientIp: "127.0.0.1", rateLimits: noRateLimits });
    try {
      const controller = new AbortController();
      const stream = userEvents({ db: other.db, bus: busB }, user.id, { signal: controller.signal }) as unknown as Stream;
      const received = take(stream, 7);
      await new Promise((r) => setTimeout(r, 100));
      for (let i = 0; i < 3; i++) await caller.chat.sendMessage({ sessionId: session.id, content: `via A ${i}` });
      busA.live(user.id, { type: "bot.typing", sessionId: session.id, botId: "b", typing: true });
      const events = await received;
      expect(events.map((e) => e.event.type)).toEqual([
        "message.created", "session.updated", "message.created", "session.updated", "message.created", "session.updated", "bot.typing",
      ]);
      expect(new Set(events.map((e) => e.id)).size).toBe(7);
    } finally {
      await busA.close();
      await busB.close();
      await other.db.$disconnect();
    }
  });
});
