/**
 * Who may call what, for every procedure of the router: signed-out callers get UNAUTHORIZED from all
 * but auth.register, and another user's session answers NOT_FOUND exactly as a missing one does,
 * from every session-scoped procedure, without touching a row. The procedure list comes from the
 * router itself, so a new procedure without a case here fails the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeBotReply } from "@/test/replies";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, userWithSession } from "@/test/fixtures";
import { callPath, routerProcedures, snapshotRows, trpcError } from "@/test/trpc";

let t: TestDatabase;
let w: Awaited<ReturnType<typeof world>>;

/** A's session holds user messages (one with a clientId) and an unread bot reply; B has a session of its own. */
async function world() {
  const a = await userWithSession(t.db, "Alice");
  const first = await a.caller.chat.sendMessage({ sessionId: a.session.id, content: "secret plans", clientId: "alice-1" });
  const reply = await storeBotReply(t.db, { sessionId: a.session.id, bot: a.bot, content: "noted", replyTo: first.message.id });
  const second = await a.caller.chat.sendMessage({ sessionId: a.session.id, content: "more plans" });
  // The state an agent's failure leaves (agents.test.ts makes it for real): a message to retry.
  const failed = await a.caller.chat.sendMessage({ sessionId: a.session.id, content: "/fail" });
  await t.db.message.update({ where: { id: failed.message.id }, data: { status: "failed", ackStatus: "failed", error: "agent failed" } });
  await settleReplies(a.session.id);
  const b = await userWithSession(t.db, "Bob");
  return { a, b, aMessages: [first.message, reply, second.message], failed: failed.message };
}

/** No agent runs here: ends the session's queued dispatches as agents would, so no reply is in progress. */
async function settleReplies(sessionId: string) {
  await t.db.dispatch.updateMany({ where: { sessionId, status: "queued" }, data: { status: "done" } });
  await t.db.chatSession.update({ where: { id: sessionId }, data: { pendingReplies: 0 } });
}

type World = typeof w;
type Case = { scope: "public" | "user" | "session" | "message"; inputs: (w: World) => unknown[] };

/**
 * Every procedure, with inputs that would succeed for the session's owner. "session" procedures
 * name a session by `sessionId` and are the ownership matrix; "user" ones act on the caller's own
 * things only and are exempt from it.
 */
const cases: Record<string, Case> = {
  "auth.register": { scope: "public", inputs: () => [{ email: `new-${Date.now()}@example.com`, password: "password-1" }] },
  "bot.list": { scope: "user", inputs: () => [undefined, { query: "bot" }] },
  "chat.listSessions": { scope: "user", inputs: (w) => [undefined, { botId: w.a.bot.id, status: "active" }] },
  "chat.createSession": { scope: "user", inputs: (w) => [{ botId: w.a.bot.id }] },
  "chat.getSession": { scope: "session", inputs: (w) => [{ sessionId: w.a.session.id }] },
  "chat.listMessages": {
    scope: "session",
    inputs: (w) => [{ sessionId: w.a.session.id }, { sessionId: w.a.session.id, limit: 1, before: w.aMessages[2]!.id }],
  },
  "chat.sendMessage": {
    scope: "session",
    inputs: (w) => [
      { sessionId: w.a.session.id, content: "hijack" },
      // A's clientId: a retry would hand back A's message if ownership were checked after idempotency.
      { sessionId: w.a.session.id, content: "hijack", clientId: "alice-1" },
      { sessionId: w.a.session.id, content: "hijack", replyTo: w.aMessages[0]!.id },
    ],
  },
  "chat.markRead": { scope: "session", inputs: (w) => [{ sessionId: w.a.session.id }] },
  "chat.closeSession": { scope: "session", inputs: (w) => [{ sessionId: w.a.session.id }] },
  "chat.stopReply": { scope: "session", inputs: (w) => [{ sessionId: w.a.session.id }] },
  "chat.renameSession": { scope: "session", inputs: (w) => [{ sessionId: w.a.session.id, title: "Renamed by someone" }] },
  "chat.regenerate": { scope: "session", inputs: (w) => [{ sessionId: w.a.session.id }] },
  "chat.deleteSession": { scope: "session", inputs: (w) => [{ sessionId: w.a.session.id }] },
  // Searches the caller's own chats only (below: never another user's).
  "chat.search": { scope: "user", inputs: () => [{ query: "secret plans" }, { query: "plans", limit: 1 }] },
  // Names a message, not a session: another user's answers NOT_FOUND 'Message not found'.
  "chat.retryMessage": { scope: "message", inputs: (w) => [{ messageId: w.failed.id }] },
  // Planned: session-scoped when given a sessionId. Runs as soon as the router has it.
  "chat.onEvent": { scope: "session", inputs: (w) => [{ sessionId: w.a.session.id }, { sessionId: w.a.session.id, lastEventId: "0" }] },
};
const notYetInRouter = new Set<string>();

const withSession = (input: unknown, sessionId: string) => ({ ...(input as object), sessionId });

beforeAll(async () => {
  t = await createTestDatabase();
  w = await world();
});
afterAll(async () => {
  await t?.close();
});

describe("the matrix covers the router", () => {
  it("has a case for every procedure the router exposes", () => {
    const missing = [...routerProcedures().keys()].filter((path) => !(path in cases));
    expect(missing, "procedures without an access case: add them to `cases`").toEqual([]);
  });

  it("has no stale cases", () => {
    const procedures = routerProcedures();
    const stale = Object.keys(cases).filter((path) => !procedures.has(path) && !notYetInRouter.has(path));
    expect(stale).toEqual([]);
  });

  it("exempts exactly auth.register, bot.list, chat.listSessions, chat.createSession and chat.search from ownership", () => {
    const exempt = Object.entries(cases).filter(([, c]) => c.scope !== "session" && c.scope !== "message").map(([path]) => path).sort();
    expect(exempt).toEqual(["auth.register", "bot.list", "chat.createSession", "chat.listSessions", "chat.search"]);
  });
});

describe("signed-out callers", () => {
  const paths = () => [...routerProcedures().keys()].filter((path) => cases[path]?.scope !== "public");

  it("get UNAUTHORIZED from every procedure but auth.register, and write nothing", async () => {
    const anonymous = callerFor(t.db, null);
    const before = await snapshotRows(t.db);
    const outcomes: string[] = [];
    for (const path of paths()) {
      for (const input of cases[path]!.inputs(w)) {
        const error = await trpcError(callPath(anonymous, path, input));
        outcomes.push(`${path} ${error.code}`);
      }
    }
    expect(outcomes.length).toBeGreaterThanOrEqual(paths().length);
    expect(outcomes.filter((o) => !o.endsWith(" UNAUTHORIZED"))).toEqual([]);
    expect(await snapshotRows(t.db)).toEqual(before);
  });

  it("get UNAUTHORIZED before the input is checked", async () => {
    const anonymous = callerFor(t.db, null);
    for (const path of paths()) {
      const error = await trpcError(callPath(anonymous, path, { unexpected: 1 }));
      expect(`${path} ${error.code}`).toBe(`${path} UNAUTHORIZED`);
    }
  });

  it("may register", async () => {
    const { user } = await callerFor(t.db, null).auth.register({ email: `anon-${Date.now()}@example.com`, password: "password-1" });
    expect(user.id).toEqual(expect.any(String));
  });
});

describe("another user's message", () => {
  const messagePaths = () => [...routerProcedures().keys()].filter((path) => cases[path]?.scope === "message");

  it("answers NOT_FOUND from every message-scoped procedure, exactly like a missing message, and changes nothing", async () => {
    expect(messagePaths().length).toBeGreaterThanOrEqual(1);
    for (const path of messagePaths()) {
      for (const input of cases[path]!.inputs(w)) {
        const before = await snapshotRows(t.db);
        const error = await trpcError(callPath(w.b.caller, path, input));
        const missing = await trpcError(callPath(w.b.caller, path, { ...(input as object), messageId: "no-such-message" }));
        expect({ path, code: error.code, message: error.message }).toEqual({ path, code: "NOT_FOUND", message: "Message not found" });
        expect({ path, code: missing.code, message: missing.message }).toEqual({ path, code: error.code, message: error.message });
        expect(await snapshotRows(t.db), `${path} changed data`).toEqual(before);
      }
    }
  });

  it("works for its owner with the very same inputs", async () => {
    const { message } = await w.a.caller.chat.retryMessage({ messageId: w.failed.id });
    expect(message).toMatchObject({ id: w.failed.id, status: "sent", ackStatus: "pending", error: null });
  });
});

describe("another user's session", () => {
  const sessionPaths = () => [...routerProcedures().keys()].filter((path) => cases[path]?.scope === "session");

  it("answers NOT_FOUND from every session-scoped procedure, exactly like a missing session, and changes nothing", async () => {
    expect(sessionPaths().length).toBeGreaterThanOrEqual(5);
    for (const path of sessionPaths()) {
      for (const input of cases[path]!.inputs(w)) {
        const before = await snapshotRows(t.db);
        const error = await trpcError(callPath(w.b.caller, path, input));
        const missing = await trpcError(callPath(w.b.caller, path, withSession(input, "no-such-session")));
        expect({ path, input, code: error.code, message: error.message }).toEqual({
          path, input, code: "NOT_FOUND", message: "Session not found",
        });
        expect({ path, code: missing.code, message: missing.message }).toEqual({ path, code: error.code, message: error.message });
        expect(await snapshotRows(t.db), `${path} changed data`).toEqual(before);
      }
    }
  });

  it("works for its owner with the very same inputs (the matrix is not vacuous)", async () => {
    for (const path of sessionPaths()) {
      if (routerProcedures().get(path) === "subscription") continue;
      // closeSession and deleteSession last: the session must stay open, and there, for the others.
      if (path === "chat.closeSession" || path === "chat.deleteSession") continue;
      if (path === "chat.regenerate") await settleReplies(w.a.session.id);
      for (const input of cases[path]!.inputs(w)) {
        await expect(callPath(w.a.caller, path, input), path).resolves.toBeDefined();
      }
    }
    await expect(w.a.caller.chat.closeSession({ sessionId: w.a.session.id })).resolves.toEqual({ sessionId: w.a.session.id, status: "closed" });
    await expect(w.a.caller.chat.deleteSession({ sessionId: w.a.session.id })).resolves.toEqual({ sessionId: w.a.session.id, deleted: true });
  });
});

describe("procedures exempt from ownership still see only the caller's own data", () => {
  it("chat.search never finds another user's titles or messages", async () => {
    const { session } = await w.a.caller.chat.createSession({ botId: w.a.bot.id, title: "Alice's secret plans" });
    await w.a.caller.chat.sendMessage({ sessionId: session.id, content: "the secret plans, again" });
    expect((await w.a.caller.chat.search({ query: "secret plans" })).results.length).toBeGreaterThanOrEqual(2);
    expect(await w.b.caller.chat.search({ query: "secret plans" })).toEqual({ results: [], nextCursor: null });
    expect(await w.b.caller.chat.search({ query: "plans or secret or alice" })).toEqual({ results: [], nextCursor: null });
  });

  it("chat.listSessions never lists another user's sessions, even filtered by their bot", async () => {
    for (const input of [undefined, { botId: w.a.bot.id }, { status: "active" as const }, { status: "closed" as const }]) {
      const list = await w.b.caller.chat.listSessions(input);
      expect(list.sessions.map((s) => s.id)).not.toContain(w.a.session.id);
      expect(list.sessions.every((s) => s.id === w.b.session.id || s.botId === w.a.bot.id)).toBe(true);
    }
    const { total } = await w.b.caller.chat.listSessions({ botId: w.a.bot.id });
    expect(total).toBe(0);
  });

  it("chat.createSession on another user's bot makes the caller's own session", async () => {
    const { session } = await w.b.caller.chat.createSession({ botId: w.a.bot.id });
    expect((await t.db.chatSession.findUniqueOrThrow({ where: { id: session.id } })).userId).toBe(w.b.user.id);
    await expect(w.a.caller.chat.getSession({ sessionId: session.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
