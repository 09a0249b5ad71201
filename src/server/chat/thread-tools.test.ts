/**
 * What people do with their chats, on a real database with the agents' workers running: rename,
 * delete (also while a reply is being written), regenerate the last reply, and export.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ChatSession, ConversationExport, type ChatEvent, type Message } from "@/shared";
import { collectDeltas, waitForReply } from "@/test/agents";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, createBot, createUser, userWithSession } from "@/test/fixtures";
import { errorShape, trpcError } from "@/test/trpc";
import { userEvents } from "../events/subscription";
import { demoReplyText } from "../agents/demo";
import { exportConversation } from "./export";
import { startDispatch } from "./replies";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.startWorkers();
});
afterAll(async () => {
  await t?.close();
});

type Caller = ReturnType<typeof callerFor>;

/** Stored events the bus delivers for a user, as a subscriber receives them. */
function storedEvents(userId: string) {
  const events: ChatEvent[] = [];
  const stop = t.services.bus.subscribe(userId, (item) => {
    if (item.kind === "stored") events.push(...item.events.map((e) => e.event));
  });
  return { events, stop };
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every message of a session, oldest first, through chat.listMessages page by page. */
async function allMessages(caller: Caller, sessionId: string): Promise<Message[]> {
  let page = await caller.chat.listMessages({ sessionId, limit: 100 });
  const messages = [...page.messages];
  while (page.hasMore) {
    page = await caller.chat.listMessages({ sessionId, limit: 100, before: page.nextCursor! });
    messages.unshift(...page.messages);
  }
  return messages;
}

describe("chat.renameSession", () => {
  it("trims and stores the title, returns the session and tells every tab (session.updated)", async () => {
    const { user, caller, session } = await userWithSession(t.db);
    const seen = storedEvents(user.id);
    const { session: renamed } = await caller.chat.renameSession({ sessionId: session.id, title: "  Trip to Porto \n" });
    expect(renamed).toMatchObject({ id: session.id, title: "Trip to Porto", bot: { id: session.botId }, messageCount: 0 });
    expect(renamed.updatedAt.getTime()).toBeGreaterThanOrEqual(session.updatedAt.getTime());
    await until(() => seen.events.length > 0);
    seen.stop();
    expect(seen.events).toEqual([{ type: "session.updated", sessionId: session.id, session: expect.objectContaining({ title: "Trip to Porto" }) }]);
    expect((await caller.chat.getSession({ sessionId: session.id })).session.title).toBe("Trip to Porto");
    expect((await caller.chat.listSessions()).sessions.find((s) => s.id === session.id)?.title).toBe("Trip to Porto");
  });

  it("changes and announces nothing for the same title; works on a closed session", async () => {
    const { caller, session } = await userWithSession(t.db);
    await caller.chat.closeSession({ sessionId: session.id });
    const before = await t.db.chatEvent.count();
    const same = await caller.chat.renameSession({ sessionId: session.id, title: session.title });
    expect(same.session.updatedAt).toEqual((await caller.chat.getSession({ sessionId: session.id })).session.updatedAt);
    expect(await t.db.chatEvent.count()).toBe(before);
    expect((await caller.chat.renameSession({ sessionId: session.id, title: "Archived trip" })).session).toMatchObject({ title: "Archived trip", status: "closed" });
  });

  it("refuses a blank or too long title on the title field, and changes nothing", async () => {
    const { caller, session } = await userWithSession(t.db);
    for (const title of ["   ", "x".repeat(201)]) {
      const error = await trpcError(caller.chat.renameSession({ sessionId: session.id, title }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(errorShape(error, "chat.renameSession").data.zodError?.fieldErrors.title?.length).toBeGreaterThan(0);
    }
    expect((await caller.chat.getSession({ sessionId: session.id })).session.title).toBe(session.title);
  });
});

describe("chat.deleteSession", () => {
  it("deletes the session with its messages and dispatches; totals stay exact; every tab hears session.deleted", async () => {
    const { user, bot, caller, session } = await userWithSession(t.db);
    const { session: kept } = await caller.chat.createSession({ botId: bot.id });
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "/echo soon gone" });
    await waitForReply(caller, session.id, message.id);
    expect((await caller.chat.listSessions()).total).toBe(2);
    const seen = storedEvents(user.id);
    const beforeDelete = Number((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).eventSeq);

    expect(await caller.chat.deleteSession({ sessionId: session.id })).toEqual({ sessionId: session.id, deleted: true });

    await until(() => seen.events.length > 0);
    seen.stop();
    expect(seen.events).toEqual([{ type: "session.deleted", sessionId: session.id }]);
    expect(await t.db.chatSession.count({ where: { id: session.id } })).toBe(0);
    expect(await t.db.message.count({ where: { sessionId: session.id } })).toBe(0);
    expect(await t.db.dispatch.count({ where: { sessionId: session.id } })).toBe(0);
    const list = await caller.chat.listSessions();
    expect([list.total, list.sessions.map((s) => s.id)]).toEqual([1, [kept.id]]);
    const tally = await t.db.chatSessionTally.findMany({ where: { userId: user.id } });
    expect(tally.reduce((sum, row) => sum + row.count, 0)).toBe(await t.db.chatSession.count({ where: { userId: user.id } }));
    expect((await trpcError(caller.chat.getSession({ sessionId: session.id }))).code).toBe("NOT_FOUND");
    expect((await trpcError(caller.chat.deleteSession({ sessionId: session.id }))).code).toBe("NOT_FOUND");

    // A tab that was offline resumes from its last event id and learns it from the log.
    const stream = userEvents({ db: t.db, bus: t.services.bus }, user.id, { lastEventId: String(beforeDelete) })[Symbol.asyncIterator]();
    const first = await stream.next();
    await stream.return?.(undefined);
    // A tracked envelope: [id, data].
    expect((first.value as unknown as [string, ChatEvent])[1]).toEqual({ type: "session.deleted", sessionId: session.id });
  });

  it("during a streaming reply: the reply ends cleanly, nothing of the session is left, nothing is logged as an error", async () => {
    const errors = vi.spyOn(console, "error");
    try {
      const { user, caller, session, bot } = await userWithSession(t.db);
      const deltas = collectDeltas(t, user.id);
      const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "/slow" });
      await deltas.waitFor((d) => d.length >= 3, 10_000);
      const [dispatch] = await t.db.dispatch.findMany({ where: { messageId: message.id } });
      expect(dispatch!.status).toBe("running");

      await caller.chat.deleteSession({ sessionId: session.id });

      // The job ends (completed, not failed or retried) and the typing mark goes.
      await until(async () => {
        const [job] = await t.db.$queryRaw<{ state: string }[]>`SELECT state::text FROM pgboss.job WHERE id = ${dispatch!.id}::uuid`;
        return job?.state === "completed";
      });
      await deltas.waitFor((_, live) => live.some((e) => e.type === "bot.typing" && !e.typing), 5_000);
      deltas.stop();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await t.db.chatSession.count({ where: { id: session.id } })).toBe(0);
      expect(await t.db.message.count({ where: { sessionId: session.id } })).toBe(0);
      expect(await t.db.dispatch.count({ where: { sessionId: session.id } })).toBe(0);
      expect(errors.mock.calls).toEqual([]);

      // The workers go on: the next chat is answered.
      const { session: next } = await caller.chat.createSession({ botId: bot.id });
      const sent = await caller.chat.sendMessage({ sessionId: next.id, content: "/echo still here" });
      expect((await waitForReply(caller, next.id, sent.message.id)).reply?.content).toBe("still here");
    } finally {
      errors.mockRestore();
    }
  });

  it("leaves a job that had not started yet with nothing to run", async () => {
    const { caller, session } = await userWithSession(t.db);
    const user = await t.db.chatSession.findUniqueOrThrow({ where: { id: session.id } });
    const dispatchId = crypto.randomUUID();
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "queued" });
    await t.db.dispatch.create({ data: { id: dispatchId, sessionId: session.id, messageId: message.id, userId: user.userId } });
    await caller.chat.deleteSession({ sessionId: session.id });
    expect(await startDispatch(t.services.deps, dispatchId, "test")).toBeNull();
  });
});

describe("chat.regenerate", () => {
  it("dispatches the last user message again; the new reply follows the old one, which stays", async () => {
    const { caller, session } = await userWithSession(t.db);
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "/echo again please" });
    const first = await waitForReply(caller, session.id, message.id);
    const seen = await t.db.chatEvent.count({ where: { sessionId: session.id } });

    const { message: again } = await caller.chat.regenerate({ sessionId: session.id });
    expect(again).toMatchObject({ id: message.id, seq: 1, status: "sent", ackStatus: "pending", error: null });
    expect(await t.db.chatEvent.count({ where: { sessionId: session.id } })).toBeGreaterThan(seen);

    await until(async () => (await allMessages(caller, session.id)).filter((m) => m.replyStatus === "done").length === 2);
    const messages = await allMessages(caller, session.id);
    expect(messages.map((m) => [m.seq, m.senderType, m.content, m.replyTo])).toEqual([
      [1, "user", "/echo again please", null],
      [2, "bot", "again please", message.id],
      [3, "bot", "again please", message.id],
    ]);
    expect(messages[1]).toEqual(first.reply);
    expect(messages[0]).toMatchObject({ status: "delivered", ackStatus: "acked" });
    expect(await t.db.dispatch.count({ where: { messageId: message.id } })).toBe(2);
    expect((await caller.chat.getSession({ sessionId: session.id })).session).toMatchObject({ messageCount: 3, replying: false });
  });

  it("refuses while a reply is in progress, in a closed session, and with no message to answer", async () => {
    const { caller, session } = await userWithSession(t.db);
    const empty = await trpcError(caller.chat.regenerate({ sessionId: session.id }));
    expect([empty.code, empty.message]).toEqual(["PRECONDITION_FAILED", "There is no message to answer again"]);

    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "/slow" });
    const busy = await trpcError(caller.chat.regenerate({ sessionId: session.id }));
    expect([busy.code, busy.message]).toEqual(["PRECONDITION_FAILED", "A reply is in progress"]);
    await caller.chat.stopReply({ sessionId: session.id });
    await until(async () => !(await caller.chat.getSession({ sessionId: session.id })).session.replying);
    expect(await t.db.dispatch.count({ where: { messageId: message.id } })).toBe(1);

    await caller.chat.closeSession({ sessionId: session.id });
    const closed = await trpcError(caller.chat.regenerate({ sessionId: session.id }));
    expect([closed.code, closed.message]).toEqual(["PRECONDITION_FAILED", "Session is closed"]);
  });

  it("refuses with FORBIDDEN once the caller may no longer use the bot", async () => {
    const user = await createUser(t.db);
    const owner = await createUser(t.db, "Owner");
    const bot = await createBot(t.db, { visibility: "private", ownerId: owner.id });
    await t.db.botAccess.create({ data: { userId: user.id, botId: bot.id, role: "use" } });
    const caller = callerFor(t.db, user);
    const { session } = await caller.chat.createSession({ botId: bot.id });
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "/echo hi" });
    await waitForReply(caller, session.id, message.id);
    await t.db.botAccess.delete({ where: { userId_botId: { userId: user.id, botId: bot.id } } });
    const error = await trpcError(caller.chat.regenerate({ sessionId: session.id }));
    expect([error.code, error.message]).toEqual(["FORBIDDEN", "Permission denied"]);
  });

  it("of two at once, dispatches once", async () => {
    const { caller, session } = await userWithSession(t.db);
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "/echo twice?" });
    await waitForReply(caller, session.id, message.id);
    const outcomes = await Promise.allSettled([caller.chat.regenerate({ sessionId: session.id }), caller.chat.regenerate({ sessionId: session.id })]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(await t.db.dispatch.count({ where: { messageId: message.id } })).toBe(2);
  });
});

describe("export", () => {
  async function read(stream: ReadableStream<Uint8Array>): Promise<string> {
    return new Response(stream).text();
  }

  it("JSON: parses back (ConversationExport) to exactly the session and the messages the API lists, read page by page", async () => {
    const { user, caller, session } = await userWithSession(t.db);
    await caller.chat.renameSession({ sessionId: session.id, title: "Ünïcode & \"quotes\" / slashes" });
    for (let i = 0; i < 11; i++) {
      const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: `/echo line ${i} with "quotes", \\ and 😀` });
      await waitForReply(caller, session.id, message.id);
    }
    t.statements.reset();
    const found = await exportConversation(t.db, user.id, session.id, "json", 5);
    const text = await read(found!.body);
    // The session and one statement per page of 5 (22 messages: 5 pages), never all at once.
    expect(t.statements.sql.filter((sql) => sql.includes('FROM "Message"')).length).toBe(5);
    expect(found).toMatchObject({ filename: "unicode-quotes-slashes.json", contentType: "application/json; charset=utf-8" });

    const parsed = ConversationExport.parse(JSON.parse(text));
    const { session: current } = await caller.chat.getSession({ sessionId: session.id });
    // The API's Session shape (the schema drops getSession's extras: the full bot, botAccess).
    expect(parsed.session).toEqual(ChatSession.parse(current));
    expect(parsed.messages).toEqual(await allMessages(caller, session.id));
    expect(parsed.messages).toHaveLength(22);
    expect(parsed.messages[1]!.content).toBe(demoReplyText('/echo line 0 with "quotes", \\ and 😀'));
  });

  it("Markdown: the title, then each message with who wrote it and when", async () => {
    const { user, caller, session, bot } = await userWithSession(t.db);
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "/echo **bold** words" });
    await waitForReply(caller, session.id, message.id);
    const found = await exportConversation(t.db, user.id, session.id, "md");
    const text = await read(found!.body);
    expect(found!.filename).toBe(`chat-with-${bot.displayName.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.md`);
    expect(text.startsWith(`# ${session.title}\n`)).toBe(true);
    expect(text).toMatch(/\*\*You\*\* · \d{4}-\d\d-\d\d \d\d:\d\d UTC\n\n\/echo \*\*bold\*\* words\n/);
    expect(text).toContain(`**${bot.displayName}** · `);
    expect(text).toContain("\n\n**bold** words\n");
  });

  it("an empty session exports as valid JSON; another user's session exports nothing", async () => {
    const { user, session } = await userWithSession(t.db);
    const empty = await exportConversation(t.db, user.id, session.id, "json");
    expect(ConversationExport.parse(JSON.parse(await read(empty!.body))).messages).toEqual([]);
    const other = await createUser(t.db, "Mallory");
    expect(await exportConversation(t.db, other.id, session.id, "json")).toBeNull();
    expect(await exportConversation(t.db, other.id, "no-such-session", "md")).toBeNull();
  });
});
