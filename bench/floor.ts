/**
 * The bare floor: a plain node:http server doing the work of chat.listSessions, chat.listMessages
 * and chat.sendMessage with hand-written SQL over `pg` (pool as large as the app's), returning
 * plain JSON. Per request it does what the app must do and nothing else:
 * - read the NextAuth session cookie, decoded with next-auth/jwt and kept by its text until it
 *   expires, as the app does (src/server/auth/session.ts);
 * - run the same statements as the app, prepared once per connection as the app's are
 *   (src/server/db.ts): one for the list page with the bot joined and the total from
 *   ChatSessionTally; one for the session check and the history page; for a send, the same
 *   transaction as the app's (BEGIN, one statement storing the message, its Dispatch and their
 *   events under the session's row lock, the pg-boss job inserted by pg-boss itself through the
 *   app's own Dispatcher.enqueue, COMMIT);
 * - shape the rows as the API does (dates as ISO strings), and answer.
 * What it leaves out is the framework: tRPC's envelope and superjson's date annotations, Zod's
 * input and output validation, the rate limiter (off in the bench), and waking the workers after a
 * send (it has none: the app's workers on the same database take its jobs by NOTIFY or poll).
 *
 * Started by bench/run.ts as a child process:
 *   FLOOR_PORT FLOOR_DATABASE_URL FLOOR_POOL_MAX NEXTAUTH_SECRET  tsx bench/floor.ts
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createId } from "@paralleldrive/cuid2";
import { LRUCache } from "lru-cache";
import { decode, type JWT } from "next-auth/jwt";
import pg from "pg";
import { createBoss, DEFAULT_DISPATCHER_SETTINGS, Dispatcher } from "@/server/agents/dispatcher";
import type { QueueTransaction } from "@/server/agents/queue";
import type { ChatDeps } from "@/server/chat/deps";
import { statementName } from "@/server/db";

// timestamp(3) without time zone holds UTC (the app writes clock_timestamp() AT TIME ZONE 'UTC').
pg.types.setTypeParser(1114, (value: string) => new Date(`${value.replace(" ", "T")}Z`));

const port = Number(process.env.FLOOR_PORT ?? 0);
const secret = process.env.NEXTAUTH_SECRET ?? "";
const url = process.env.FLOOR_DATABASE_URL;
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.FLOOR_POOL_MAX ?? 10) });

// The app's own enqueue (pg-boss's send with the transaction as its `db`), without workers.
const boss = createBoss(url!, { poolMax: 1, supervise: false });
const queue = new Dispatcher(boss, {} as ChatDeps, DEFAULT_DISPATCHER_SETTINGS);

const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?next-auth\.session-token=([^;]+)/;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const decoded = new LRUCache<string, JWT>({ max: 10_000 });

async function userOf(req: IncomingMessage): Promise<{ id: string; name: string }> {
  const token = SESSION_COOKIE.exec(req.headers.cookie ?? "")?.[1];
  let jwt: JWT | null = null;
  if (token) {
    const text = decodeURIComponent(token);
    const hit = decoded.get(text);
    jwt = hit && (typeof hit.exp !== "number" || Date.now() / 1000 < hit.exp + 15) ? hit : await decode({ token: text, secret }).catch(() => null);
    if (jwt && !hit) decoded.set(text, jwt);
  }
  if (!jwt?.sub) throw new HttpError(401, "Sign in first");
  return { id: jwt.sub, name: (jwt.name as string | null) ?? String(jwt.email ?? "").split("@")[0]! };
}

type SessionRow = {
  id: string; title: string; status: string; botId: string; messageCount: number; unreadCount: number; pendingReplies: number;
  lastActiveAt: Date; createdAt: Date; updatedAt: Date; closedAt: Date | null; lastMessageId: string | null;
  lastMessageContent: string | null; lastMessageSenderType: string | null; lastMessageAt: Date | null;
  bot_name: string; bot_displayName: string; bot_avatar: string | null; bot_status: string; total: number;
};

const SESSION_COLUMNS = `s.id, s.title, s.status, s."botId", s."messageCount", s."unreadCount", s."pendingReplies",
  s."lastActiveAt", s."createdAt", s."updatedAt", s."closedAt", s."lastMessageId", s."lastMessageContent",
  s."lastMessageSenderType", s."lastMessageAt"`;

// The app's statement: the total from ChatSessionTally, the page by keyset, in one round trip.
const listSql = (keyset: string) => `WITH tally AS (SELECT COALESCE(SUM(count), 0)::int AS total FROM "ChatSessionTally" WHERE "userId" = $1)
  SELECT tally.total, page.* FROM tally LEFT JOIN LATERAL (
    SELECT ${SESSION_COLUMNS}, b.name AS "bot_name", b."displayName" AS "bot_displayName", b.avatar AS "bot_avatar",
           b.status AS "bot_status"
    FROM "ChatSession" s JOIN "Bot" b ON b.id = s."botId"
    WHERE s."userId" = $1 AND s."botId" IS NOT NULL ${keyset}
    ORDER BY s."lastActiveAt" DESC, s.id DESC
    LIMIT $2
  ) page ON true`;
const LIST = { name: "floor-list", text: listSql("") };
const LIST_AFTER = { name: "floor-list-after", text: listSql(`AND (s."lastActiveAt", s.id) < ($3::timestamp, $4)`) };

async function listSessions(userId: string, url: URL) {
  const limit = Math.min(100, Math.max(1, Number(url.searchParams.get("limit") ?? 20)));
  const cursor = url.searchParams.get("cursor");
  let query: { name: string; text: string; values: unknown[] } = { ...LIST, values: [userId, limit + 1] };
  if (cursor) {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    query = { ...LIST_AFTER, values: [userId, limit + 1, new Date(at).toISOString().replace("T", " ").replace("Z", ""), id] };
  }
  const { rows: all } = await pool.query<SessionRow>(query);
  const found = all.filter((r) => r.id != null);
  const rows = found.slice(0, limit);
  const last = rows[rows.length - 1];
  return {
    sessions: rows.map((r) => ({
      id: r.id, title: r.title, status: r.status, botId: r.botId,
      bot: { id: r.botId, name: r.bot_name, displayName: r.bot_displayName, avatar: r.bot_avatar, status: r.bot_status },
      messageCount: r.messageCount, unreadCount: r.unreadCount, replying: r.pendingReplies > 0, lastActiveAt: r.lastActiveAt,
      createdAt: r.createdAt, updatedAt: r.updatedAt, closedAt: r.closedAt,
      lastMessage: r.lastMessageId && r.lastMessageSenderType && r.lastMessageAt
        ? { id: r.lastMessageId, content: (r.lastMessageContent ?? "").slice(0, 100), senderType: r.lastMessageSenderType, createdAt: r.lastMessageAt }
        : null,
    })),
    total: all[0]?.total ?? 0,
    nextCursor: found.length > limit && last ? Buffer.from(JSON.stringify([last.lastActiveAt.toISOString(), last.id])).toString("base64url") : null,
  };
}

const MESSAGE_COLUMNS = `id, "sessionId", seq, "senderType", "senderId", "senderName", "botId", "messageType",
  content, "contentType", "replyToId", status, "ackStatus", "clientId", error, "replyStatus", "createdAt", "updatedAt"`;

type MessageRow = {
  id: string; sessionId: string; seq: number; senderType: string; senderId: string | null; senderName: string; botId: string | null;
  content: string; contentType: string; replyToId: string | null; status: string; ackStatus: string; clientId: string | null;
  error: string | null; replyStatus: string | null; createdAt: Date; updatedAt: Date;
};

/** The API's Message, field by field (as src/server/chat/dto.ts's toMessage). */
function toMessage(r: MessageRow) {
  return {
    id: r.id, sessionId: r.sessionId, seq: r.seq, senderType: r.senderType, senderId: r.senderId, senderName: r.senderName,
    botId: r.botId, messageType: "text", content: r.content, contentType: r.contentType, replyTo: r.replyToId, status: r.status,
    ackStatus: r.ackStatus, clientId: r.clientId, error: r.error, replyStatus: r.replyStatus, createdAt: r.createdAt, updatedAt: r.updatedAt,
  };
}

// The app's statement: ownership, the seq of `before` and the page, in one round trip.
const historySql = (before: boolean) => `WITH owned AS MATERIALIZED (
    SELECT s.id AS "ownedId", ${before ? `(SELECT m.seq FROM "Message" m WHERE m.id = $4 AND m."sessionId" = s.id)` : "NULL::int"} AS "beforeSeq"
    FROM "ChatSession" s WHERE s.id = $1 AND s."userId" = $2
  )
  SELECT owned."beforeSeq", page.* FROM owned LEFT JOIN LATERAL (
    SELECT ${MESSAGE_COLUMNS} FROM "Message"
    WHERE "sessionId" = owned."ownedId" ${before ? `AND seq < owned."beforeSeq"` : ""}
    ORDER BY seq DESC LIMIT $3
  ) page ON true`;
const HISTORY = { name: "floor-history", text: historySql(false) };
const HISTORY_BEFORE = { name: "floor-history-before", text: historySql(true) };

async function listMessages(userId: string, url: URL) {
  const sessionId = url.searchParams.get("sessionId") ?? "";
  const before = url.searchParams.get("before");
  const limit = Math.min(100, Math.max(1, Number(url.searchParams.get("limit") ?? 50)));
  const { rows: all } = await pool.query<MessageRow & { beforeSeq: number | null }>(
    before ? { ...HISTORY_BEFORE, values: [sessionId, userId, limit + 1, before] } : { ...HISTORY, values: [sessionId, userId, limit + 1] },
  );
  if (all.length === 0) throw new HttpError(404, "Session not found");
  if (before && all[0]!.beforeSeq === null) throw new HttpError(400, "before must name a message of this session");
  const rows = all.filter((r) => r.id != null);
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit).reverse().map(toMessage);
  return { messages: page, hasMore, nextCursor: hasMore ? page[0]!.id : null };
}

const NOW = `(clock_timestamp() AT TIME ZONE 'UTC')`;

// The app's send (src/server/chat/messages.ts) with its events (src/server/events/log.ts): the
// session row locked and bumped, the message, its Dispatch, two events under the user row's lock.
const SEND = {
  name: "floor-send",
  text: `WITH s AS (
    UPDATE "ChatSession" SET
      "messageCount" = "messageCount" + 1, "pendingReplies" = "pendingReplies" + 1,
      "lastActiveAt" = ${NOW}, "updatedAt" = ${NOW},
      "lastMessageId" = $1, "lastMessageContent" = left($2, 100), "lastMessageSenderType" = 'user', "lastMessageAt" = ${NOW}
    WHERE id = $3 AND "userId" = $4 AND status <> 'closed'
      AND ("ChatSession"."botId" IS NULL OR EXISTS (SELECT 1 FROM "Bot" b WHERE b.id = "ChatSession"."botId"
        AND (b.visibility = 'public' OR (b."ownerId" IS NOT NULL AND b."ownerId" = $4)
             OR EXISTS (SELECT 1 FROM "BotAccess" a WHERE a."botId" = b.id AND a."userId" = $4))))
    RETURNING id, "userId", "messageCount", "botId", "lastActiveAt"
  ),
  m AS (
    INSERT INTO "Message" (id, "sessionId", "userId", seq, "senderType", "senderId", "senderName", "botId", content,
      "contentType", "replyToId", status, "ackStatus", "clientId", "createdAt", "updatedAt")
    SELECT $1, s.id, $4, s."messageCount", 'user', $4, $5, s."botId", $2, 'markdown', NULL, 'sent', 'pending', $6,
      s."lastActiveAt", s."lastActiveAt"
    FROM s
    RETURNING ${MESSAGE_COLUMNS}
  ),
  d AS (
    INSERT INTO "Dispatch" (id, "sessionId", "messageId", "userId", "createdAt")
    SELECT $7, m."sessionId", m.id, $4, m."createdAt" FROM m
  ),
  ev_rows AS (
    SELECT ord, "sessionId", type, "messageId" FROM (VALUES
      (1, (SELECT id FROM s)::text, 'message.created', (SELECT id FROM m)::text, 1),
      (2, (SELECT id FROM s)::text, 'session.updated', NULL::text, 0)
    ) AS x(ord, "sessionId", type, "messageId", "needsMessage")
    WHERE "sessionId" IS NOT NULL AND ("needsMessage" = 0 OR "messageId" IS NOT NULL)
  ),
  ev_user AS (
    UPDATE "User" SET "eventSeq" = "eventSeq" + (SELECT count(*)::int FROM ev_rows)
    WHERE id = (SELECT "userId" FROM s) AND EXISTS (SELECT 1 FROM ev_rows)
    RETURNING id, "eventSeq"
  ),
  ev AS (
    INSERT INTO "ChatEvent" ("userId", seq, "sessionId", type, "messageId", "createdAt")
    SELECT ev_user.id, ev_user."eventSeq" - (SELECT count(*)::int FROM ev_rows) + (row_number() OVER (ORDER BY ev_rows.ord))::int,
      ev_rows."sessionId", ev_rows.type, ev_rows."messageId", ${NOW}
    FROM ev_user, ev_rows
    RETURNING "userId", seq
  )
  SELECT m.*, (SELECT min(seq) FROM ev) AS "eventFirst", (SELECT max(seq) FROM ev) AS "eventLast" FROM m`,
};

async function sendMessage(user: { id: string; name: string }, body: { sessionId: string; content: string; clientId?: string }) {
  const content = String(body.content ?? "").trim();
  if (!content || content.length > 10_000) throw new HttpError(400, "content");
  const id = createId();
  const dispatchId = randomUUID();
  const client = await pool.connect();
  try {
    await client.query({ name: "floor-begin", text: "BEGIN" });
    // In the app's order: the job first, then the statement that locks the session and user rows.
    const tx: QueueTransaction = {
      executeSql: async (text: string, values: unknown[] = []) => ({ rows: (await client.query({ name: statementName({ sql: text }), text, values })).rows }),
    };
    await queue.enqueue(tx, { dispatchId, sessionId: body.sessionId });
    const { rows } = await client.query<MessageRow>({ ...SEND, values: [id, content, body.sessionId, user.id, user.name, body.clientId ?? null, dispatchId] });
    if (!rows[0]) throw new HttpError(412, "Session not found or closed");
    await client.query({ name: "floor-commit", text: "COMMIT" });
    return { message: toMessage(rows[0]), sessionId: body.sessionId };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, payload: unknown) {
  const body = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://floor");
  void (async () => {
    try {
      if (url.pathname === "/health") return send(res, 200, { ok: true });
      const user = await userOf(req);
      if (req.method === "GET" && url.pathname === "/listSessions") return send(res, 200, await listSessions(user.id, url));
      if (req.method === "GET" && url.pathname === "/listMessages") return send(res, 200, await listMessages(user.id, url));
      if (req.method === "POST" && url.pathname === "/sendMessage") {
        return send(res, 200, await sendMessage(user, JSON.parse(await readBody(req)) as { sessionId: string; content: string; clientId?: string }));
      }
      send(res, 404, { error: "not found" });
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      if (status === 500) console.error(error);
      send(res, status, { error: (error as Error).message });
    }
  })();
});

server.keepAliveTimeout = 60_000;
await queue.start();
server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  console.log(`floor listening on ${typeof address === "object" && address ? address.port : port}`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    void Promise.allSettled([pool.end(), queue.stop(1_000)]).finally(() => process.exit(0));
  });
}
