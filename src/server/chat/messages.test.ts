import { createId } from "@paralleldrive/cuid2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, userWithSession } from "@/test/fixtures";
import { errorShape, trpcError } from "@/test/trpc";
import { storeBotReply } from "@/test/replies";
import { Prisma } from "@/generated/prisma/client";
import { startDispatch } from "./replies";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

describe("chat.sendMessage", () => {
  it("stores the trimmed message as sent / ack pending with seq 1, and bumps the session", async () => {
    const { user, bot, caller, session } = await userWithSession(t.db);
    const result = await caller.chat.sendMessage({ sessionId: session.id, content: "  Hello, bot!\n" });
    expect(result).toEqual({
      sessionId: session.id,
      message: {
        id: expect.any(String),
        sessionId: session.id,
        seq: 1,
        senderType: "user",
        senderId: user.id,
        senderName: user.name,
        botId: bot.id,
        messageType: "text",
        content: "Hello, bot!",
        contentType: "markdown",
        replyTo: null,
        status: "sent",
        ackStatus: "pending",
        clientId: null,
        error: null,
        replyStatus: null,
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
      },
    });
    const { session: after } = await caller.chat.getSession({ sessionId: session.id });
    expect(after.messageCount).toBe(1);
    expect(after.lastActiveAt).toEqual(result.message.createdAt);
    expect(after.lastActiveAt.getTime()).toBeGreaterThanOrEqual(session.lastActiveAt.getTime());
    expect((await caller.chat.listMessages({ sessionId: session.id })).messages).toEqual([result.message]);
  });

  it("keeps contentType text, clientId and a replyTo of the same session", async () => {
    const { caller, session } = await userWithSession(t.db);
    const first = await caller.chat.sendMessage({ sessionId: session.id, content: "question" });
    const { message } = await caller.chat.sendMessage({
      sessionId: session.id, content: "follow-up", contentType: "text", replyTo: first.message.id, clientId: "c-42",
    });
    expect(message).toMatchObject({ seq: 2, contentType: "text", replyTo: first.message.id, clientId: "c-42" });
  });

  it("may reply to a bot's message", async () => {
    const { caller, session, bot } = await userWithSession(t.db);
    await caller.chat.sendMessage({ sessionId: session.id, content: "Which one?" });
    const reply = await storeBotReply(t.db, { sessionId: session.id, bot, content: "Pick one: a or b" });
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "a", replyTo: reply.id });
    expect(message).toMatchObject({ replyTo: reply.id, seq: 3 });
  });

  it("names the sender by the part of the email before @ when the user has no name", async () => {
    const { bot } = await userWithSession(t.db);
    const row = await t.db.user.create({ data: { email: `nameless-${Date.now()}@example.com`, passwordHash: "x" } });
    const caller = callerFor(t.db, { id: row.id, email: row.email, name: null });
    const { session } = await caller.chat.createSession({ botId: bot.id });
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "hi" });
    expect(message.senderName).toBe(row.email.split("@")[0]);
  });

  it("accepts exactly 10,000 characters after trimming", async () => {
    const { caller, session } = await userWithSession(t.db);
    const content = "a".repeat(10_000);
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: `  ${content}  ` });
    expect(message.content).toBe(content);
  });

  it("is allowed on a paused session, which stays paused", async () => {
    const { caller, session } = await userWithSession(t.db);
    await t.db.chatSession.update({ where: { id: session.id }, data: { status: "paused" } });
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "anyone there?" });
    expect(message).toMatchObject({ status: "sent", seq: 1 });
    expect((await caller.chat.getSession({ sessionId: session.id })).session).toMatchObject({ status: "paused", messageCount: 1 });
  });

  it("counts bot replies in messageCount and numbers them in the same seq", async () => {
    const { caller, session, bot } = await userWithSession(t.db);
    const a = await caller.chat.sendMessage({ sessionId: session.id, content: "one" });
    const reply = await storeBotReply(t.db, { sessionId: session.id, bot, content: "two", replyTo: a.message.id });
    const c = await caller.chat.sendMessage({ sessionId: session.id, content: "three" });
    expect([a.message.seq, reply.seq, c.message.seq]).toEqual([1, 2, 3]);
    expect(reply).toMatchObject({ senderType: "bot", senderId: bot.id, botId: bot.id, senderName: bot.displayName, status: "delivered", ackStatus: "acked", replyTo: a.message.id });
    const { session: after } = await caller.chat.getSession({ sessionId: session.id });
    expect(after).toMatchObject({ messageCount: 3, unreadCount: 1 });
    const listed = await caller.chat.listSessions();
    expect(listed.sessions.find((s) => s.id === session.id)).toMatchObject({ messageCount: 3, lastMessage: { id: c.message.id, senderType: "user" } });
  });

  it("answers NOT_FOUND 'Session not found' for an unknown session", async () => {
    const { caller } = await userWithSession(t.db);
    const error = await trpcError(caller.chat.sendMessage({ sessionId: "no-such-session", content: "hi" }));
    expect([error.code, error.message]).toEqual(["NOT_FOUND", "Session not found"]);
  });

  it("answers PRECONDITION_FAILED 'Session is closed' on a closed session and stores nothing", async () => {
    const { caller, session } = await userWithSession(t.db);
    await caller.chat.closeSession({ sessionId: session.id });
    const before = await t.db.chatSession.findUniqueOrThrow({ where: { id: session.id } });
    const error = await trpcError(caller.chat.sendMessage({ sessionId: session.id, content: "hi", clientId: "late" }));
    expect([error.code, error.message]).toEqual(["PRECONDITION_FAILED", "Session is closed"]);
    expect(await t.db.message.count({ where: { sessionId: session.id } })).toBe(0);
    expect(await t.db.chatSession.findUniqueOrThrow({ where: { id: session.id } })).toEqual(before);
  });

  it("still returns a message sent before the session closed when its send is retried", async () => {
    const { caller, session } = await userWithSession(t.db);
    const first = await caller.chat.sendMessage({ sessionId: session.id, content: "hi", clientId: "retry-me" });
    await caller.chat.closeSession({ sessionId: session.id });
    expect(await caller.chat.sendMessage({ sessionId: session.id, content: "hi", clientId: "retry-me" })).toEqual(first);
  });
});

describe("chat.listMessages", () => {
  it("returns the newest messages oldest first, with hasMore and nextCursor", async () => {
    const { caller, session, bot } = await userWithSession(t.db);
    const ids: string[] = [];
    for (let i = 1; i <= 7; i++) {
      ids.push(i % 3 === 0
        ? (await storeBotReply(t.db, { sessionId: session.id, bot, content: `m${i}` })).id
        : (await caller.chat.sendMessage({ sessionId: session.id, content: `m${i}` })).message.id);
    }
    const newest = await caller.chat.listMessages({ sessionId: session.id, limit: 3 });
    expect(newest.messages.map((m) => m.content)).toEqual(["m5", "m6", "m7"]);
    expect(newest.hasMore).toBe(true);
    expect(newest.nextCursor).toBe(ids[4]);
    const older = await caller.chat.listMessages({ sessionId: session.id, limit: 3, before: newest.nextCursor! });
    expect(older.messages.map((m) => m.content)).toEqual(["m2", "m3", "m4"]);
    expect(older.hasMore).toBe(true);
    const oldest = await caller.chat.listMessages({ sessionId: session.id, limit: 3, before: older.nextCursor! });
    expect(oldest).toEqual({
      messages: [expect.objectContaining({ content: "m1", seq: 1 })], hasMore: false, nextCursor: null, hasNewer: true, newerCursor: ids[0],
    });
    // Before the first message there is nothing.
    expect(await caller.chat.listMessages({ sessionId: session.id, before: ids[0]! })).toEqual({
      messages: [], hasMore: false, nextCursor: null, hasNewer: false, newerCursor: null,
    });
    // The newest page has nothing after it.
    expect([newest.hasNewer, newest.newerCursor]).toEqual([false, null]);
  });

  it("defaults to the newest 50", async () => {
    const { caller, session, user } = await userWithSession(t.db);
    await t.db.message.createMany({
      data: Array.from({ length: 60 }, (_, i) => ({
        sessionId: session.id, userId: user.id, seq: i + 1, senderType: "user" as const, senderName: "x", content: `m${i + 1}`, status: "sent" as const,
      })),
    });
    await t.db.chatSession.update({ where: { id: session.id }, data: { messageCount: 60 } });
    const page = await caller.chat.listMessages({ sessionId: session.id });
    expect(page.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(page.hasMore).toBe(true);
  });

  it("returns an empty page for an empty session", async () => {
    const { caller, session } = await userWithSession(t.db);
    expect(await caller.chat.listMessages({ sessionId: session.id })).toEqual({ messages: [], hasMore: false, nextCursor: null, hasNewer: false, newerCursor: null });
  });

  it("answers NOT_FOUND 'Session not found' for an unknown session", async () => {
    const { caller } = await userWithSession(t.db);
    const error = await trpcError(caller.chat.listMessages({ sessionId: "no-such-session" }));
    expect([error.code, error.message]).toEqual(["NOT_FOUND", "Session not found"]);
  });
});

describe("chat.listMessages after and around a message", () => {
  /** A session of `count` messages m1 … m<count>, stored directly; returns their ids by seq - 1. */
  async function thread(count: number) {
    const { caller, session, user } = await userWithSession(t.db);
    const ids = Array.from({ length: count }, () => createId());
    await t.db.message.createMany({
      data: ids.map((id, i) => ({
        id, sessionId: session.id, userId: user.id, seq: i + 1, senderType: "user" as const, senderName: "x", content: `m${i + 1}`, status: "sent" as const,
      })),
    });
    await t.db.chatSession.update({ where: { id: session.id }, data: { messageCount: count } });
    return { caller, session, ids };
  }
  const contents = (page: { messages: { content: string }[] }) => page.messages.map((m) => m.content).join(" ");

  it("after: the oldest `limit` newer messages, oldest first, with exact hasNewer and both cursors", async () => {
    const { caller, session, ids } = await thread(9);
    const page = await caller.chat.listMessages({ sessionId: session.id, after: ids[2]!, limit: 3 });
    expect([contents(page), page.hasMore, page.nextCursor, page.hasNewer, page.newerCursor]).toEqual(["m4 m5 m6", true, ids[3], true, ids[5]]);
    const next = await caller.chat.listMessages({ sessionId: session.id, after: page.newerCursor!, limit: 3 });
    // Exactly `limit` left: the last page says there is nothing newer.
    expect([contents(next), next.hasNewer, next.newerCursor]).toEqual(["m7 m8 m9", false, null]);
    const none = await caller.chat.listMessages({ sessionId: session.id, after: ids[8]!, limit: 3 });
    expect([contents(none), none.hasNewer]).toEqual(["", false]);
  });

  it("around: the message with about as many older as newer ones, more of one side where the other runs out", async () => {
    const { caller, session, ids } = await thread(20);
    const middle = await caller.chat.listMessages({ sessionId: session.id, around: ids[9]!, limit: 5 });
    expect([contents(middle), middle.hasMore, middle.nextCursor, middle.hasNewer, middle.newerCursor]).toEqual(["m8 m9 m10 m11 m12", true, ids[7], true, ids[11]]);
    const nearEnd = await caller.chat.listMessages({ sessionId: session.id, around: ids[18]!, limit: 5 });
    expect([contents(nearEnd), nearEnd.hasMore, nearEnd.hasNewer]).toEqual(["m16 m17 m18 m19 m20", true, false]);
    const nearStart = await caller.chat.listMessages({ sessionId: session.id, around: ids[0]!, limit: 5 });
    expect([contents(nearStart), nearStart.hasMore, nearStart.hasNewer]).toEqual(["m1 m2 m3 m4 m5", false, true]);
    const whole = await caller.chat.listMessages({ sessionId: session.id, around: ids[5]!, limit: 50 });
    expect([whole.messages.length, whole.hasMore, whole.hasNewer]).toEqual([20, false, false]);
  });

  it("pages from around a message to both ends, every message once", async () => {
    const { caller, session, ids } = await thread(23);
    const start = await caller.chat.listMessages({ sessionId: session.id, around: ids[11]!, limit: 4 });
    let seen = start.messages.map((m) => m.seq);
    for (let cursor = start.nextCursor; cursor; ) {
      const page = await caller.chat.listMessages({ sessionId: session.id, before: cursor, limit: 4 });
      seen = [...page.messages.map((m) => m.seq), ...seen];
      cursor = page.nextCursor;
    }
    for (let cursor = start.newerCursor; cursor; ) {
      const page = await caller.chat.listMessages({ sessionId: session.id, after: cursor, limit: 4 });
      seen = [...seen, ...page.messages.map((m) => m.seq)];
      cursor = page.newerCursor;
    }
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
  });

  it("refuses an anchor outside the session, and more than one anchor", async () => {
    const { caller, session, ids } = await thread(3);
    const other = await thread(1);
    for (const field of ["after", "around"] as const) {
      const error = await trpcError(caller.chat.listMessages({ sessionId: session.id, [field]: other.ids[0]! }));
      expect([error.code, error.message]).toEqual(["BAD_REQUEST", `${field} must name a message of this session`]);
    }
    const both = await trpcError(caller.chat.listMessages({ sessionId: session.id, before: ids[2]!, around: ids[1]! }));
    expect(both.code).toBe("BAD_REQUEST");
    expect(errorShape(both, "chat.listMessages").data.zodError?.fieldErrors.around).toEqual(["Give at most one of before, after and around (got before and around)"]);
  });
});

describe("startDispatch", () => {
  it("starts nothing while its condition fails; then acks the message and reads it as acked, in one statement", async () => {
    const { caller, session } = await userWithSession(t.db);
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "hello there" });
    const { id } = await t.db.dispatch.findFirstOrThrow({ where: { messageId: message.id } });
    const stored = async () => (await caller.chat.listMessages({ sessionId: session.id })).messages[0]!;
    t.statements.reset();
    expect(await startDispatch(t.services.deps, id, "test", Prisma.sql`false`)).toBe("not yet");
    expect(t.statements.count).toBe(1);
    expect(await stored()).toEqual(message);
    expect(await t.db.dispatch.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "queued", attempts: 0 });

    t.statements.reset();
    const started = await startDispatch(t.services.deps, id, "test", Prisma.sql`true`);
    expect(t.statements.count).toBe(1);
    const acked = await stored();
    expect(acked).toMatchObject({ id: message.id, status: "delivered", ackStatus: "acked", content: "hello there" });
    expect(started).toMatchObject({ id, sessionId: session.id, attempts: 1, message: acked, reply: null });
    // Another attempt (its worker died) acks nothing again and reads the message as it stands.
    expect(await startDispatch(t.services.deps, id, "test")).toMatchObject({ attempts: 2, message: acked });
  });
});
