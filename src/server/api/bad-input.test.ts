/**
 * Bad input, procedure by procedure: every row answers the code API.md names (BAD_REQUEST with the
 * offending field in zodError for schema failures, NOT_FOUND for unknown sessions and bots, never a
 * 500) and writes nothing: the rows of every table are compared before and after.
 */
import { ZodError } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeBotReply } from "@/test/replies";
import { DomainError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, userWithSession } from "@/test/fixtures";
import { inputStrings } from "@/test/input-strings";
import { callPath, errorShape, routerInputs, routerProcedures, snapshotRows, trpcError } from "@/test/trpc";
import { TEXT_ERRORS } from "@/shared";

let t: TestDatabase;
let w: Awaited<ReturnType<typeof world>>;

async function world() {
  const a = await userWithSession(t.db, "Alice");
  const { session: aOther } = await a.caller.chat.createSession({ botId: a.bot.id });
  const b = await userWithSession(t.db, "Bob");
  const send = async (caller: typeof a.caller, sessionId: string, content: string) =>
    (await caller.chat.sendMessage({ sessionId, content, clientId: `${sessionId}-${content}` })).message;
  const mine = [await send(a.caller, a.session.id, "one"), await storeBotReply(t.db, { sessionId: a.session.id, bot: a.bot, content: "two" })];
  const inOtherSession = await send(a.caller, aOther.id, "elsewhere");
  const othersUsers = await send(b.caller, b.session.id, "bob's");
  return { a, b, mine, inOtherSession, othersUsers };
}

beforeAll(async () => {
  t = await createTestDatabase();
  w = await world();
});
afterAll(async () => {
  await t?.close();
});

type World = typeof w;
type Row = {
  path: string;
  name: string;
  input: (w: World) => unknown;
  code: "BAD_REQUEST" | "NOT_FOUND" | "PRECONDITION_FAILED";
  /** Schema failures: the field named in zodError ("" for the input as a whole). */
  field?: string;
  /** Domain failures: the message. */
  message?: string;
  /** Schema failures: a message the field's errors must include. */
  fieldMessage?: string;
};

const long = (n: number) => "x".repeat(n);
const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const sid = (w: World) => w.a.session.id;

const schema = (path: string, name: string, field: string, input: (w: World) => unknown): Row => ({ path, name, input, code: "BAD_REQUEST", field });
const domain = (path: string, name: string, code: Row["code"], message: string, input: (w: World) => unknown): Row => ({ path, name, input, code, message });

/** Inputs every object-taking procedure must refuse as a whole. */
const notAnObject = (path: string, base: (w: World) => Record<string, unknown>, optionalInput = false): Row[] => [
  schema(path, "a string instead of an object", "", () => "abc"),
  schema(path, "a number instead of an object", "", () => 42),
  schema(path, "an array instead of an object", "", () => []),
  schema(path, "null", "", () => null),
  ...(optionalInput ? [] : [schema(path, "no input", "", () => undefined)]),
  schema(path, "an unknown extra field", "", (w) => ({ ...base(w), admin: true })),
];

const rows: Row[] = [
  // auth.register (called signed out)
  ...notAnObject("auth.register", () => ({ email: "new@example.com", password: "password-1" })),
  schema("auth.register", "no fields", "email", () => ({})),
  schema("auth.register", "email a number", "email", () => ({ email: 5, password: "password-1" })),
  schema("auth.register", "email not an address", "email", () => ({ email: "not-an-email", password: "password-1" })),
  schema("auth.register", "email over 254 characters", "email", () => ({ email: `${long(250)}@example.com`, password: "password-1" })),
  schema("auth.register", "password a number", "password", () => ({ email: "n1@example.com", password: 12345678 })),
  schema("auth.register", "password of 7 characters", "password", () => ({ email: "n2@example.com", password: "1234567" })),
  schema("auth.register", "password of 201 characters", "password", () => ({ email: "n3@example.com", password: long(201) })),
  schema("auth.register", "blank name", "name", () => ({ email: "n4@example.com", password: "password-1", name: "   " })),
  schema("auth.register", "name of 81 characters", "name", () => ({ email: "n5@example.com", password: "password-1", name: long(81) })),
  schema("auth.register", "name a number", "name", () => ({ email: "n6@example.com", password: "password-1", name: 5 })),

  // bot.list
  ...notAnObject("bot.list", () => ({}), true),
  schema("bot.list", "query a number", "query", () => ({ query: 5 })),
  schema("bot.list", "query of 101 characters", "query", () => ({ query: long(101) })),

  // chat.listSessions
  ...notAnObject("chat.listSessions", () => ({}), true),
  schema("chat.listSessions", "limit 0", "limit", () => ({ limit: 0 })),
  schema("chat.listSessions", "limit 101", "limit", () => ({ limit: 101 })),
  schema("chat.listSessions", "limit 1.5", "limit", () => ({ limit: 1.5 })),
  schema("chat.listSessions", "limit 'abc'", "limit", () => ({ limit: "abc" })),
  schema("chat.listSessions", "limit '20' as text", "limit", () => ({ limit: "20" })),
  schema("chat.listSessions", "limit -1", "limit", () => ({ limit: -1 })),
  schema("chat.listSessions", "limit NaN", "limit", () => ({ limit: Number.NaN })),
  schema("chat.listSessions", "limit Infinity", "limit", () => ({ limit: Number.POSITIVE_INFINITY })),
  schema("chat.listSessions", "status unknown", "status", () => ({ status: "open" })),
  schema("chat.listSessions", "botId a number", "botId", () => ({ botId: 5 })),
  schema("chat.listSessions", "botId empty", "botId", () => ({ botId: "" })),
  schema("chat.listSessions", "botId of 65 characters", "botId", () => ({ botId: long(65) })),
  schema("chat.listSessions", "cursor a number", "cursor", () => ({ cursor: 5 })),
  schema("chat.listSessions", "cursor of 201 characters", "cursor", () => ({ cursor: long(201) })),
  domain("chat.listSessions", "cursor not base64 JSON", "BAD_REQUEST", "Invalid cursor", () => ({ cursor: "garbage!" })),
  domain("chat.listSessions", "cursor of JSON null", "BAD_REQUEST", "Invalid cursor", () => ({ cursor: cursor(null) })),
  domain("chat.listSessions", "cursor of an object", "BAD_REQUEST", "Invalid cursor", () => ({ cursor: cursor({ at: 1 }) })),
  domain("chat.listSessions", "cursor with a bad date", "BAD_REQUEST", "Invalid cursor", () => ({ cursor: cursor(["not a date", "x"]) })),
  domain("chat.listSessions", "cursor with a numeric id", "BAD_REQUEST", "Invalid cursor", () => ({ cursor: cursor([new Date().toISOString(), 5]) })),
  domain("chat.listSessions", "cursor dated before the year 1", "BAD_REQUEST", "Invalid cursor", () => ({ cursor: cursor(["-000001-01-01T00:00:00.000Z", "x"]) })),
  domain("chat.listSessions", "cursor dated year 0", "BAD_REQUEST", "Invalid cursor", () => ({ cursor: cursor(["0000-01-01T00:00:00.000Z", "x"]) })),
  domain("chat.listSessions", "cursor at the earliest JS date", "BAD_REQUEST", "Invalid cursor", () => ({ cursor: cursor([new Date(-8.64e15).toISOString(), "x"]) })),
  domain("chat.listSessions", "cursor at the latest JS date", "BAD_REQUEST", "Invalid cursor", () => ({ cursor: cursor([new Date(8.64e15).toISOString(), "x"]) })),

  // chat.createSession
  ...notAnObject("chat.createSession", (w) => ({ botId: w.a.bot.id })),
  schema("chat.createSession", "no botId", "botId", () => ({})),
  schema("chat.createSession", "botId a number", "botId", () => ({ botId: 5 })),
  schema("chat.createSession", "botId empty", "botId", () => ({ botId: "" })),
  schema("chat.createSession", "botId blank", "botId", () => ({ botId: "   " })),
  schema("chat.createSession", "botId of 65 characters", "botId", () => ({ botId: long(65) })),
  schema("chat.createSession", "title empty", "title", (w) => ({ botId: w.a.bot.id, title: "" })),
  schema("chat.createSession", "title blank", "title", (w) => ({ botId: w.a.bot.id, title: " \n\t " })),
  schema("chat.createSession", "title of 201 characters", "title", (w) => ({ botId: w.a.bot.id, title: long(201) })),
  schema("chat.createSession", "title a number", "title", (w) => ({ botId: w.a.bot.id, title: 5 })),
  schema("chat.createSession", "title null", "title", (w) => ({ botId: w.a.bot.id, title: null })),
  domain("chat.createSession", "unknown botId", "NOT_FOUND", "Bot not found", () => ({ botId: "no-such-bot" })),

  // chat.getSession
  ...notAnObject("chat.getSession", (w) => ({ sessionId: sid(w) })),
  schema("chat.getSession", "no sessionId", "sessionId", () => ({})),
  schema("chat.getSession", "sessionId a number", "sessionId", () => ({ sessionId: 5 })),
  schema("chat.getSession", "sessionId empty", "sessionId", () => ({ sessionId: "" })),
  schema("chat.getSession", "sessionId of 65 characters", "sessionId", () => ({ sessionId: long(65) })),
  domain("chat.getSession", "unknown sessionId", "NOT_FOUND", "Session not found", () => ({ sessionId: "no-such-session" })),

  // chat.listMessages
  ...notAnObject("chat.listMessages", (w) => ({ sessionId: sid(w) })),
  schema("chat.listMessages", "no sessionId", "sessionId", () => ({ limit: 5 })),
  schema("chat.listMessages", "limit 0", "limit", (w) => ({ sessionId: sid(w), limit: 0 })),
  schema("chat.listMessages", "limit 101", "limit", (w) => ({ sessionId: sid(w), limit: 101 })),
  schema("chat.listMessages", "limit 1.5", "limit", (w) => ({ sessionId: sid(w), limit: 1.5 })),
  schema("chat.listMessages", "limit 'abc'", "limit", (w) => ({ sessionId: sid(w), limit: "abc" })),
  schema("chat.listMessages", "before a number", "before", (w) => ({ sessionId: sid(w), before: 5 })),
  schema("chat.listMessages", "before empty", "before", (w) => ({ sessionId: sid(w), before: "" })),
  schema("chat.listMessages", "before of 65 characters", "before", (w) => ({ sessionId: sid(w), before: long(65) })),
  domain("chat.listMessages", "before an unknown message", "BAD_REQUEST", "before must name a message of this session", (w) => ({ sessionId: sid(w), before: "no-such-message" })),
  domain("chat.listMessages", "before a message of another session", "BAD_REQUEST", "before must name a message of this session", (w) => ({ sessionId: sid(w), before: w.inOtherSession.id })),
  domain("chat.listMessages", "before another user's message", "BAD_REQUEST", "before must name a message of this session", (w) => ({ sessionId: sid(w), before: w.othersUsers.id })),
  domain("chat.listMessages", "unknown sessionId", "NOT_FOUND", "Session not found", () => ({ sessionId: "no-such-session" })),
  schema("chat.listMessages", "after empty", "after", (w) => ({ sessionId: sid(w), after: "" })),
  schema("chat.listMessages", "around a number", "around", (w) => ({ sessionId: sid(w), around: 5 })),
  schema("chat.listMessages", "before and around at once", "around", (w) => ({ sessionId: sid(w), before: w.mine[1]!.id, around: w.mine[0]!.id })),
  schema("chat.listMessages", "after and around at once", "around", (w) => ({ sessionId: sid(w), after: w.mine[0]!.id, around: w.mine[0]!.id })),
  domain("chat.listMessages", "after an unknown message", "BAD_REQUEST", "after must name a message of this session", (w) => ({ sessionId: sid(w), after: "no-such-message" })),
  domain("chat.listMessages", "around a message of another session", "BAD_REQUEST", "around must name a message of this session", (w) => ({ sessionId: sid(w), around: w.inOtherSession.id })),
  domain("chat.listMessages", "around another user's message", "BAD_REQUEST", "around must name a message of this session", (w) => ({ sessionId: sid(w), around: w.othersUsers.id })),

  // chat.sendMessage
  ...notAnObject("chat.sendMessage", (w) => ({ sessionId: sid(w), content: "hi" })),
  schema("chat.sendMessage", "no content", "content", (w) => ({ sessionId: sid(w) })),
  schema("chat.sendMessage", "content a number", "content", (w) => ({ sessionId: sid(w), content: 5 })),
  schema("chat.sendMessage", "content null", "content", (w) => ({ sessionId: sid(w), content: null })),
  schema("chat.sendMessage", "content empty", "content", (w) => ({ sessionId: sid(w), content: "" })),
  schema("chat.sendMessage", "content whitespace only", "content", (w) => ({ sessionId: sid(w), content: "  \n\t \u00a0 " })),
  schema("chat.sendMessage", "content of 10,001 characters", "content", (w) => ({ sessionId: sid(w), content: long(10_001) })),
  schema("chat.sendMessage", "contentType html", "contentType", (w) => ({ sessionId: sid(w), content: "hi", contentType: "html" })),
  schema("chat.sendMessage", "clientId empty", "clientId", (w) => ({ sessionId: sid(w), content: "hi", clientId: "" })),
  schema("chat.sendMessage", "clientId of 65 characters", "clientId", (w) => ({ sessionId: sid(w), content: "hi", clientId: long(65) })),
  schema("chat.sendMessage", "clientId a number", "clientId", (w) => ({ sessionId: sid(w), content: "hi", clientId: 5 })),
  schema("chat.sendMessage", "replyTo empty", "replyTo", (w) => ({ sessionId: sid(w), content: "hi", replyTo: "" })),
  schema("chat.sendMessage", "replyTo a number", "replyTo", (w) => ({ sessionId: sid(w), content: "hi", replyTo: 5 })),
  schema("chat.sendMessage", "a status of its own", "", (w) => ({ sessionId: sid(w), content: "hi", status: "read" })),
  schema("chat.sendMessage", "a senderType of its own", "", (w) => ({ sessionId: sid(w), content: "hi", senderType: "bot" })),
  domain("chat.sendMessage", "replyTo an unknown message", "BAD_REQUEST", "replyTo must name a message of this session", (w) => ({ sessionId: sid(w), content: "hi", replyTo: "no-such-message" })),
  domain("chat.sendMessage", "replyTo a message of another session", "BAD_REQUEST", "replyTo must name a message of this session", (w) => ({ sessionId: sid(w), content: "hi", replyTo: w.inOtherSession.id })),
  domain("chat.sendMessage", "replyTo another user's message", "BAD_REQUEST", "replyTo must name a message of this session", (w) => ({ sessionId: sid(w), content: "hi", replyTo: w.othersUsers.id })),
  domain("chat.sendMessage", "replyTo unknown, with a clientId", "BAD_REQUEST", "replyTo must name a message of this session", (w) => ({ sessionId: sid(w), content: "hi", replyTo: "no-such-message", clientId: "fresh-client-id" })),
  domain("chat.sendMessage", "unknown sessionId", "NOT_FOUND", "Session not found", () => ({ sessionId: "no-such-session", content: "hi" })),

  // chat.markRead
  ...notAnObject("chat.markRead", (w) => ({ sessionId: sid(w) })),
  schema("chat.markRead", "sessionId a number", "sessionId", () => ({ sessionId: 5 })),
  schema("chat.markRead", "sessionId empty", "sessionId", () => ({ sessionId: "" })),
  domain("chat.markRead", "unknown sessionId", "NOT_FOUND", "Session not found", () => ({ sessionId: "no-such-session" })),

  // chat.closeSession
  ...notAnObject("chat.closeSession", (w) => ({ sessionId: sid(w) })),
  schema("chat.closeSession", "sessionId a number", "sessionId", () => ({ sessionId: 5 })),
  schema("chat.closeSession", "sessionId of 65 characters", "sessionId", () => ({ sessionId: long(65) })),
  domain("chat.closeSession", "unknown sessionId", "NOT_FOUND", "Session not found", () => ({ sessionId: "no-such-session" })),

  // chat.retryMessage
  ...notAnObject("chat.retryMessage", (w) => ({ messageId: w.mine[0]!.id })),
  schema("chat.retryMessage", "messageId a number", "messageId", () => ({ messageId: 5 })),
  schema("chat.retryMessage", "messageId empty", "messageId", () => ({ messageId: "" })),
  domain("chat.retryMessage", "unknown messageId", "NOT_FOUND", "Message not found", () => ({ messageId: "no-such-message" })),
  domain("chat.retryMessage", "another user's message", "NOT_FOUND", "Message not found", (w) => ({ messageId: w.othersUsers.id })),
  domain("chat.retryMessage", "a bot's message", "BAD_REQUEST", "Only your own messages can be retried", (w) => ({ messageId: w.mine[1]!.id })),
  domain("chat.retryMessage", "a message that did not fail", "PRECONDITION_FAILED", "Only a failed message can be retried", (w) => ({ messageId: w.mine[0]!.id })),

  // chat.stopReply
  ...notAnObject("chat.stopReply", (w) => ({ sessionId: sid(w) })),
  schema("chat.stopReply", "sessionId a number", "sessionId", () => ({ sessionId: 5 })),
  domain("chat.stopReply", "unknown sessionId", "NOT_FOUND", "Session not found", () => ({ sessionId: "no-such-session" })),

  // chat.renameSession
  ...notAnObject("chat.renameSession", (w) => ({ sessionId: sid(w), title: "New title" })),
  schema("chat.renameSession", "no title", "title", (w) => ({ sessionId: sid(w) })),
  schema("chat.renameSession", "title empty", "title", (w) => ({ sessionId: sid(w), title: "" })),
  schema("chat.renameSession", "title blank", "title", (w) => ({ sessionId: sid(w), title: " \n\t " })),
  schema("chat.renameSession", "title of 201 characters", "title", (w) => ({ sessionId: sid(w), title: long(201) })),
  schema("chat.renameSession", "title a number", "title", (w) => ({ sessionId: sid(w), title: 5 })),
  schema("chat.renameSession", "title null", "title", (w) => ({ sessionId: sid(w), title: null })),
  schema("chat.renameSession", "sessionId a number", "sessionId", () => ({ sessionId: 5, title: "New title" })),
  domain("chat.renameSession", "unknown sessionId", "NOT_FOUND", "Session not found", () => ({ sessionId: "no-such-session", title: "New title" })),

  // chat.deleteSession
  ...notAnObject("chat.deleteSession", (w) => ({ sessionId: sid(w) })),
  schema("chat.deleteSession", "sessionId a number", "sessionId", () => ({ sessionId: 5 })),
  schema("chat.deleteSession", "sessionId empty", "sessionId", () => ({ sessionId: "" })),
  schema("chat.deleteSession", "sessionId of 65 characters", "sessionId", () => ({ sessionId: long(65) })),
  domain("chat.deleteSession", "unknown sessionId", "NOT_FOUND", "Session not found", () => ({ sessionId: "no-such-session" })),

  // chat.regenerate
  ...notAnObject("chat.regenerate", (w) => ({ sessionId: sid(w) })),
  schema("chat.regenerate", "sessionId a number", "sessionId", () => ({ sessionId: 5 })),
  domain("chat.regenerate", "unknown sessionId", "NOT_FOUND", "Session not found", () => ({ sessionId: "no-such-session" })),
  // No agent runs in this file: the replies to its messages are still queued.
  domain("chat.regenerate", "while a reply is in progress", "PRECONDITION_FAILED", "A reply is in progress", (w) => ({ sessionId: sid(w) })),

  // chat.search
  ...notAnObject("chat.search", () => ({ query: "plans" })),
  schema("chat.search", "no query", "query", () => ({})),
  schema("chat.search", "query empty", "query", () => ({ query: "" })),
  schema("chat.search", "query blank", "query", () => ({ query: " \t " })),
  schema("chat.search", "query of 201 characters", "query", () => ({ query: long(201) })),
  schema("chat.search", "query a number", "query", () => ({ query: 5 })),
  schema("chat.search", "limit 0", "limit", () => ({ query: "x", limit: 0 })),
  schema("chat.search", "limit 51", "limit", () => ({ query: "x", limit: 51 })),
  schema("chat.search", "limit 'abc'", "limit", () => ({ query: "x", limit: "abc" })),
  schema("chat.search", "cursor a number", "cursor", () => ({ query: "x", cursor: 5 })),
  schema("chat.search", "cursor of 201 characters", "cursor", () => ({ query: "x", cursor: long(201) })),
  domain("chat.search", "cursor not base64 JSON", "BAD_REQUEST", "Invalid cursor", () => ({ query: "x", cursor: "garbage!" })),
  domain("chat.search", "cursor with a text rank", "BAD_REQUEST", "Invalid cursor", () => ({ query: "x", cursor: cursor(["1", new Date().toISOString(), "id"]) })),
  domain("chat.search", "cursor dated year 0", "BAD_REQUEST", "Invalid cursor", () => ({ query: "x", cursor: cursor([1, "0000-01-01T00:00:00.000Z", "id"]) })),
  domain("chat.search", "cursor with a NUL in its id", "BAD_REQUEST", "Invalid cursor", () => ({ query: "x", cursor: cursor([1, new Date().toISOString(), "a\u0000b"]) })),

  // chat.onEvent (planned; these run once the router has it)
  schema("chat.onEvent", "sessionId a number", "sessionId", () => ({ sessionId: 5 })),
  schema("chat.onEvent", "lastEventId a number", "lastEventId", () => ({ lastEventId: 5 })),
  schema("chat.onEvent", "an unknown extra field", "", () => ({ everything: true })),
  domain("chat.onEvent", "unknown sessionId", "NOT_FOUND", "Session not found", () => ({ sessionId: "no-such-session" })),
  domain("chat.listSessions", "cursor with a NUL in its id", "BAD_REQUEST", "Invalid cursor", () => ({ cursor: cursor([new Date().toISOString(), "a\u0000b"]) })),

  ...unstorableText(),
];

/** A valid input per procedure, for the rows that spoil one of its strings. */
const validInputs: Record<string, (w: World) => Record<string, unknown>> = {
  "auth.register": () => ({ email: "spoilt@example.com", password: "password-1", name: "Spoilt" }),
  "bot.list": () => ({ query: "bot" }),
  "chat.listSessions": (w) => ({ botId: w.a.bot.id, limit: 5, cursor: cursor([new Date().toISOString(), sid(w)]) }),
  "chat.createSession": (w) => ({ botId: w.a.bot.id, title: "A title" }),
  "chat.getSession": (w) => ({ sessionId: sid(w) }),
  "chat.listMessages": (w) => ({ sessionId: sid(w), before: w.mine[1]!.id }),
  "chat.sendMessage": (w) => ({ sessionId: sid(w), content: "hello", replyTo: w.mine[0]!.id, clientId: "spoilt-client-id" }),
  "chat.markRead": (w) => ({ sessionId: sid(w) }),
  "chat.closeSession": (w) => ({ sessionId: sid(w) }),
  "chat.onEvent": (w) => ({ sessionId: sid(w), lastEventId: "1" }),
  "chat.retryMessage": (w) => ({ messageId: w.mine[0]!.id }),
  "chat.stopReply": (w) => ({ sessionId: sid(w) }),
  "chat.renameSession": (w) => ({ sessionId: sid(w), title: "A new title" }),
  "chat.deleteSession": (w) => ({ sessionId: sid(w) }),
  "chat.regenerate": (w) => ({ sessionId: sid(w) }),
  "chat.search": () => ({ query: "plans", limit: 5, cursor: cursor([0.5, new Date().toISOString(), "some-id"]) }),
};

/**
 * NUL and lone surrogates in every free-text field of every procedure (found in its schema, so a
 * new field gets rows of its own), each in an otherwise valid input: BAD_REQUEST naming the field
 * with the shared rule's message, and nothing written.
 */
function unstorableText(): Row[] {
  const spoil = (value: unknown, bad: string) => (typeof value === "string" ? `${value.slice(0, 1)}${bad}${value.slice(1)}` : `x${bad}`);
  const variants = [
    ["NUL", "\u0000", TEXT_ERRORS.nul],
    ["a lone high surrogate", "\ud83d", TEXT_ERRORS.surrogate],
    ["a lone low surrogate", "\ude00", TEXT_ERRORS.surrogate],
  ] as const;
  return [...routerInputs()].flatMap(([path, { input }]) =>
    (input ? inputStrings(input) : [])
      .filter(({ free, path: at }) => free && at.length === 1)
      .flatMap(({ path: [field] }) =>
        variants.map(([what, bad, message]) => ({
          ...schema(path, `${String(field)} with ${what}`, String(field), (w) => {
            const valid = validInputs[path]?.(w) ?? {};
            return { ...valid, [field!]: spoil(valid[field!], bad) };
          }),
          fieldMessage: message,
        })),
      ),
  );
}

describe("bad input", () => {
  it("has rows for every procedure of the router", () => {
    const covered = new Set(rows.map((row) => row.path));
    expect([...routerProcedures().keys()].filter((path) => !covered.has(path))).toEqual([]);
  });

  it("has a valid input for every procedure, to spoil one string at a time", () => {
    expect([...routerProcedures().keys()].filter((path) => !validInputs[path])).toEqual([]);
    for (const [path, valid] of Object.entries(validInputs)) {
      const input = routerInputs().get(path)?.input;
      if (input) expect(input.safeParse(valid(w)).error?.issues ?? [], path).toEqual([]);
    }
  });

  const present = rows.filter((row) => routerProcedures().has(row.path));
  it.each(present.map((row) => [`${row.path}: ${row.name} → ${row.code}`, row] as const))("%s", async (_, row) => {
    const caller = row.path === "auth.register" ? callerFor(t.db, null) : w.a.caller;
    const before = await snapshotRows(t.db);
    const error = await trpcError(callPath(caller, row.path, row.input(w)));
    expect(error.code).not.toBe("INTERNAL_SERVER_ERROR");
    expect(error.code).toBe(row.code);
    const shape = errorShape(error, row.path);
    if (row.field !== undefined) {
      expect(error.cause).toBeInstanceOf(ZodError);
      const fields = (error.cause as ZodError).issues.map((issue) => String(issue.path[0] ?? ""));
      expect(fields).toContain(row.field);
      const zodError = shape.data.zodError!;
      const messages = row.field ? zodError.fieldErrors[row.field] : zodError.formErrors;
      expect(messages?.length ?? 0).toBeGreaterThan(0);
      if (row.fieldMessage) expect(messages).toContain(row.fieldMessage);
    } else {
      expect(error.cause).toBeInstanceOf(DomainError);
      expect(error.message).toBe(row.message);
      expect(shape.data.zodError).toBeNull();
    }
    expect(await snapshotRows(t.db)).toEqual(before);
  });
});
