import { ZodError } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, createBot, createUser, userWithSession } from "@/test/fixtures";
import { errorShape, trpcError } from "@/test/trpc";
import { storeBotReply } from "@/test/replies";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

describe("chat.createSession", () => {
  it("starts an active, empty session titled 'Chat with <displayName>' with the full bot", async () => {
    const user = await createUser(t.db);
    const bot = await createBot(t.db, { displayName: "Weather Oracle" });
    await t.db.bot.update({ where: { id: bot.id }, data: { description: "Knows the sky", avatar: "/a.png" } });
    const before = new Date();
    const { session } = await callerFor(t.db, user).chat.createSession({ botId: bot.id });
    expect(session).toEqual({
      id: expect.any(String),
      title: "Chat with Weather Oracle",
      status: "active",
      botId: bot.id,
      bot: {
        id: bot.id, name: bot.name, displayName: "Weather Oracle", avatar: "/a.png", status: "online",
        description: "Knows the sky", visibility: "public", createdAt: bot.createdAt,
      },
      messageCount: 0,
      unreadCount: 0,
      replying: false,
      lastActiveAt: expect.any(Date),
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
      closedAt: null,
    });
    expect(session.lastActiveAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    const row = await t.db.chatSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.userId).toBe(user.id);
  });

  it("trims the title", async () => {
    const user = await createUser(t.db);
    const bot = await createBot(t.db);
    const { session } = await callerFor(t.db, user).chat.createSession({ botId: bot.id, title: "  Trip plans \n" });
    expect(session.title).toBe("Trip plans");
    expect((await callerFor(t.db, user).chat.getSession({ sessionId: session.id })).session.title).toBe("Trip plans");
  });

  it("answers BAD_REQUEST on the title field for a blank title, and creates nothing", async () => {
    const user = await createUser(t.db);
    const bot = await createBot(t.db);
    const error = await trpcError(callerFor(t.db, user).chat.createSession({ botId: bot.id, title: " \t " }));
    expect(error.code).toBe("BAD_REQUEST");
    expect((error.cause as ZodError).issues.map((i) => i.path)).toEqual([["title"]]);
    expect(errorShape(error, "chat.createSession").data.zodError?.fieldErrors.title).toEqual(["Title cannot be blank"]);
    expect(await t.db.chatSession.count({ where: { userId: user.id } })).toBe(0);
  });

  it("accepts a private bot the user owns or holds a grant for", async () => {
    const user = await createUser(t.db);
    const owner = await createUser(t.db, "Owner");
    const own = await createBot(t.db, { visibility: "private", ownerId: user.id, status: "offline" });
    const granted = await createBot(t.db, { visibility: "private", ownerId: owner.id });
    await t.db.botAccess.create({ data: { userId: user.id, botId: granted.id } });
    const caller = callerFor(t.db, user);
    await expect(caller.chat.createSession({ botId: own.id })).resolves.toMatchObject({ session: { botId: own.id } });
    await expect(caller.chat.createSession({ botId: granted.id })).resolves.toMatchObject({ session: { botId: granted.id } });
  });
});

describe("chat.getSession", () => {
  it("returns the session with its bot, as createSession did", async () => {
    const { caller, session } = await userWithSession(t.db);
    expect(await caller.chat.getSession({ sessionId: session.id })).toEqual({ session: { ...session, botAccess: true } });
  });

  it("answers NOT_FOUND 'Session not found' for an unknown id", async () => {
    const { caller } = await userWithSession(t.db);
    const error = await trpcError(caller.chat.getSession({ sessionId: "no-such-session" }));
    expect([error.code, error.message]).toEqual(["NOT_FOUND", "Session not found"]);
  });

  it("still opens a session whose bot was deleted, with bot null; the list leaves it out", async () => {
    const { caller, session, bot } = await userWithSession(t.db);
    await caller.chat.sendMessage({ sessionId: session.id, content: "hello" });
    await t.db.bot.delete({ where: { id: bot.id } });
    const { session: orphan } = await caller.chat.getSession({ sessionId: session.id });
    // Without a bot nothing forbids a message (there is no agent to answer it either).
    expect(orphan).toMatchObject({ id: session.id, botId: null, bot: null, messageCount: 1, botAccess: true });
    const list = await caller.chat.listSessions();
    expect(list.sessions.map((s) => s.id)).not.toContain(session.id);
    expect(list.total).toBe(0);
    expect((await caller.chat.listMessages({ sessionId: session.id })).messages).toHaveLength(1);
  });
});

describe("chat.listSessions", () => {
  it("lists only the caller's sessions, newest activity first, with counters and last-message preview", async () => {
    const user = await createUser(t.db);
    const stranger = await userWithSession(t.db, "Stranger");
    const caller = callerFor(t.db, user);
    const bot = await createBot(t.db, { displayName: "Echo" });
    const first = (await caller.chat.createSession({ botId: bot.id, title: "first" })).session;
    const second = (await caller.chat.createSession({ botId: bot.id, title: "second" })).session;
    const third = (await caller.chat.createSession({ botId: bot.id, title: "third" })).session;
    // Distinct, past activity times (creation in one millisecond would leave the order to the ids).
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    for (const [s, m] of [[first, 3], [second, 2], [third, 1]] as const) {
      await t.db.chatSession.update({ where: { id: s.id }, data: { lastActiveAt: minutesAgo(m) } });
    }
    expect((await caller.chat.listSessions()).sessions.map((s) => s.title)).toEqual(["third", "second", "first"]);
    // Activity in the oldest session moves it to the top.
    const long = "x".repeat(150);
    const sent = await caller.chat.sendMessage({ sessionId: first.id, content: long });
    const reply = await storeBotReply(t.db, { sessionId: first.id, bot, content: "pong" });

    const list = await caller.chat.listSessions();
    expect(list.sessions.map((s) => s.title)).toEqual(["first", "third", "second"]);
    expect(list.total).toBe(3);
    expect(list.nextCursor).toBeNull();
    expect(list.sessions.map((s) => s.id)).not.toContain(stranger.session.id);
    const [top] = list.sessions;
    expect(top).toMatchObject({
      id: first.id, messageCount: 2, unreadCount: 1, status: "active",
      bot: { id: bot.id, name: bot.name, displayName: "Echo", avatar: null, status: "online" },
      lastMessage: { id: reply.id, content: "pong", senderType: "bot", createdAt: reply.createdAt },
    });
    expect(top!.lastActiveAt).toEqual(reply.createdAt);
    expect(top!.lastActiveAt.getTime()).toBeGreaterThanOrEqual(sent.message.createdAt.getTime());
    expect(list.sessions.find((s) => s.id === second.id)!.lastMessage).toBeNull();
    expect(list.sessions.find((s) => s.id === third.id)).toMatchObject({ messageCount: 0, unreadCount: 0, lastMessage: null });
  });

  it("previews the first 100 characters of the newest message", async () => {
    const { caller, session } = await userWithSession(t.db);
    const content = "é".repeat(60) + "z".repeat(60);
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content });
    const [row] = (await caller.chat.listSessions()).sessions;
    expect(row!.lastMessage).toEqual({ id: message.id, content: content.slice(0, 100), senderType: "user", createdAt: message.createdAt });
  });

  it("filters by status and by bot; total counts what matches", async () => {
    const user = await createUser(t.db);
    const caller = callerFor(t.db, user);
    const [a, b] = [await createBot(t.db), await createBot(t.db)];
    const s1 = (await caller.chat.createSession({ botId: a.id })).session;
    const s2 = (await caller.chat.createSession({ botId: a.id })).session;
    const s3 = (await caller.chat.createSession({ botId: b.id })).session;
    await caller.chat.closeSession({ sessionId: s2.id });
    await t.db.chatSession.update({ where: { id: s3.id }, data: { status: "paused" } });
    const ids = async (input: Parameters<typeof caller.chat.listSessions>[0]) => {
      const list = await caller.chat.listSessions(input);
      expect(list.total).toBe(list.sessions.length);
      return list.sessions.map((s) => s.id).sort();
    };
    expect(await ids({})).toEqual([s1.id, s2.id, s3.id].sort());
    expect(await ids({ status: "active" })).toEqual([s1.id]);
    expect(await ids({ status: "closed" })).toEqual([s2.id]);
    expect(await ids({ status: "paused" })).toEqual([s3.id]);
    expect(await ids({ botId: a.id })).toEqual([s1.id, s2.id].sort());
    expect(await ids({ botId: a.id, status: "closed" })).toEqual([s2.id]);
    expect(await ids({ botId: b.id, status: "active" })).toEqual([]);
    expect(await ids({ botId: "no-such-bot" })).toEqual([]);
  });

  it("total counts every match while the page holds limit rows", async () => {
    const user = await createUser(t.db);
    const caller = callerFor(t.db, user);
    const bot = await createBot(t.db);
    for (let i = 0; i < 5; i++) await caller.chat.createSession({ botId: bot.id });
    const page = await caller.chat.listSessions({ limit: 2 });
    expect(page.sessions).toHaveLength(2);
    expect(page.total).toBe(5);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it("accepts the direction tRPC's useInfiniteQuery sends, and pages the same way", async () => {
    const user = await createUser(t.db);
    const caller = callerFor(t.db, user);
    const bot = await createBot(t.db);
    for (let i = 0; i < 3; i++) await caller.chat.createSession({ botId: bot.id });
    const first = await caller.chat.listSessions({ limit: 2, cursor: null, direction: "forward" });
    const second = await caller.chat.listSessions({ limit: 2, cursor: first.nextCursor, direction: "forward" });
    expect([...first.sessions, ...second.sessions].map((s) => s.id)).toEqual((await caller.chat.listSessions()).sessions.map((s) => s.id));
    expect(second.nextCursor).toBeNull();
  });

  it("lists nothing for a user without sessions", async () => {
    const caller = callerFor(t.db, await createUser(t.db));
    expect(await caller.chat.listSessions()).toEqual({ sessions: [], total: 0, nextCursor: null });
  });
});

describe("chat.markRead", () => {
  it("turns the delivered bot replies to read, zeroes unreadCount, and turns nothing the second time", async () => {
    const { caller, session, bot } = await userWithSession(t.db);
    const mine = await caller.chat.sendMessage({ sessionId: session.id, content: "hi" });
    await storeBotReply(t.db, { sessionId: session.id, bot, content: "one" });
    await storeBotReply(t.db, { sessionId: session.id, bot, content: "two" });
    expect((await caller.chat.getSession({ sessionId: session.id })).session.unreadCount).toBe(2);

    expect(await caller.chat.markRead({ sessionId: session.id })).toEqual({ sessionId: session.id, markedRead: 2 });
    const { messages } = await caller.chat.listMessages({ sessionId: session.id });
    // The bot's answer also marked the user's message delivered (taken by its agent).
    expect(messages.map((m) => [m.senderType, m.status])).toEqual([["user", "delivered"], ["bot", "read"], ["bot", "read"]]);
    expect(messages[0]).toEqual({ ...mine.message, status: "delivered", ackStatus: "acked", updatedAt: expect.any(Date) });
    const { session: after } = await caller.chat.getSession({ sessionId: session.id });
    expect(after).toMatchObject({ unreadCount: 0, messageCount: 3 });

    expect(await caller.chat.markRead({ sessionId: session.id })).toEqual({ sessionId: session.id, markedRead: 0 });
    await storeBotReply(t.db, { sessionId: session.id, bot, content: "three" });
    expect(await caller.chat.markRead({ sessionId: session.id })).toEqual({ sessionId: session.id, markedRead: 1 });
  });

  it("leaves failed bot messages alone", async () => {
    const { caller, session, bot } = await userWithSession(t.db);
    await caller.chat.sendMessage({ sessionId: session.id, content: "hi" });
    const reply = await storeBotReply(t.db, { sessionId: session.id, bot, content: "oops" });
    await t.db.message.update({ where: { id: reply.id }, data: { status: "failed", error: "agent timed out" } });
    expect(await caller.chat.markRead({ sessionId: session.id })).toEqual({ sessionId: session.id, markedRead: 0 });
    expect((await t.db.message.findUniqueOrThrow({ where: { id: reply.id } })).status).toBe("failed");
  });

  it("answers NOT_FOUND 'Session not found' for an unknown id", async () => {
    const { caller } = await userWithSession(t.db);
    const error = await trpcError(caller.chat.markRead({ sessionId: "no-such-session" }));
    expect([error.code, error.message]).toEqual(["NOT_FOUND", "Session not found"]);
  });
});

describe("chat.closeSession", () => {
  it("closes the session; closing again is fine and keeps the first closedAt", async () => {
    const { caller, session } = await userWithSession(t.db);
    expect(await caller.chat.closeSession({ sessionId: session.id })).toEqual({ sessionId: session.id, status: "closed" });
    const { session: closed } = await caller.chat.getSession({ sessionId: session.id });
    expect(closed.status).toBe("closed");
    expect(closed.closedAt).toBeInstanceOf(Date);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await caller.chat.closeSession({ sessionId: session.id })).toEqual({ sessionId: session.id, status: "closed" });
    const { session: again } = await caller.chat.getSession({ sessionId: session.id });
    expect(again.closedAt).toEqual(closed.closedAt);
    expect(again.updatedAt).toEqual(closed.updatedAt);
  });

  it("closes a paused session too", async () => {
    const { caller, session } = await userWithSession(t.db);
    await t.db.chatSession.update({ where: { id: session.id }, data: { status: "paused" } });
    await caller.chat.closeSession({ sessionId: session.id });
    expect((await caller.chat.getSession({ sessionId: session.id })).session.status).toBe("closed");
  });

  it("refuses new messages afterwards with PRECONDITION_FAILED 'Session is closed'; history stays readable", async () => {
    const { caller, session } = await userWithSession(t.db);
    await caller.chat.sendMessage({ sessionId: session.id, content: "before" });
    await caller.chat.closeSession({ sessionId: session.id });
    const error = await trpcError(caller.chat.sendMessage({ sessionId: session.id, content: "after" }));
    expect([error.code, error.message]).toEqual(["PRECONDITION_FAILED", "Session is closed"]);
    const { messages } = await caller.chat.listMessages({ sessionId: session.id });
    expect(messages.map((m) => m.content)).toEqual(["before"]);
    expect((await caller.chat.getSession({ sessionId: session.id })).session.messageCount).toBe(1);
  });

  it("answers NOT_FOUND 'Session not found' for an unknown id", async () => {
    const { caller } = await userWithSession(t.db);
    const error = await trpcError(caller.chat.closeSession({ sessionId: "no-such-session" }));
    expect([error.code, error.message]).toEqual(["NOT_FOUND", "Session not found"]);
  });
});
