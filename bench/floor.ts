/**
 * The bare floor: a plain node:http server doing the work of chat.listSessions, chat.listMessages
 * and chat.sendMessage with hand-written SQL over `pg` (pool as large as the app's), returning
 * plain JSON. Per request it does what the app must do and nothing else: read the NextAuth session
 * cookie (decoded with next-auth/jwt, as getServerSession does), run the same statements as the
 * app (the page and the count in parallel; the session check and the page; one insert with the
 * atomic counter update), shape the rows as the API does, and answer.
 *
 * Started by bench/run.ts as a child process:
 *   FLOOR_PORT FLOOR_DATABASE_URL FLOOR_POOL_MAX NEXTAUTH_SECRET  tsx bench/floor.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createId } from "@paralleldrive/cuid2";
import { decode } from "next-auth/jwt";
import pg from "pg";

// timestamp(3) without time zone holds UTC (the app writes clock_timestamp() AT TIME ZONE 'UTC').
pg.types.setTypeParser(1114, (value: string) => new Date(`${value.replace(" ", "T")}Z`));

const port = Number(process.env.FLOOR_PORT ?? 0);
const secret = process.env.NEXTAUTH_SECRET ?? "";
const pool = new pg.Pool({ connectionString: process.env.FLOOR_DATABASE_URL, max: Number(process.env.FLOOR_POOL_MAX ?? 10) });

const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?next-auth\.session-token=([^;]+)/;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function userOf(req: IncomingMessage): Promise<{ id: string; name: string }> {
  const token = SESSION_COOKIE.exec(req.headers.cookie ?? "")?.[1];
  const jwt = token ? await decode({ token: decodeURIComponent(token), secret }).catch(() => null) : null;
  if (!jwt?.sub) throw new HttpError(401, "Sign in first");
  return { id: jwt.sub, name: (jwt.name as string | null) ?? String(jwt.email ?? "").split("@")[0]! };
}

type SessionRow = {
  id: string; title: string; status: string; botId: string; messageCount: number; unreadCount: number;
  lastActiveAt: Date; createdAt: Date; updatedAt: Date; closedAt: Date | null; lastMessageId: string | null;
  lastMessageContent: string | null; lastMessageSenderType: string | null; lastMessageAt: Date | null;
  bot_name: string; bot_displayName: string; bot_avatar: string | null; bot_status: string;
};

async function listSessions(userId: string, url: URL) {
  const limit = Math.min(100, Math.max(1, Number(url.searchParams.get("limit") ?? 20)));
  const cursor = url.searchParams.get("cursor");
  const params: unknown[] = [userId, limit + 1];
  let keyset = "";
  if (cursor) {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    params.push(new Date(at).toISOString().replace("T", " ").replace("Z", ""), id);
    keyset = `AND (s."lastActiveAt", s.id) < ($3::timestamp, $4)`;
  }
  // The app's statement: the total from ChatSessionTally, the page by keyset, in one round trip.
  const { rows: all } = await pool.query<SessionRow & { total: number }>(
    `WITH tally AS (SELECT COALESCE(SUM(count), 0)::int AS total FROM "ChatSessionTally" WHERE "userId" = $1)
     SELECT tally.total, page.* FROM tally LEFT JOIN LATERAL (
       SELECT s.id, s.title, s.status, s."botId", s."messageCount", s."unreadCount", s."lastActiveAt", s."createdAt",
              s."updatedAt", s."closedAt", s."lastMessageId", s."lastMessageContent", s."lastMessageSenderType",
              s."lastMessageAt", b.name AS "bot_name", b."displayName" AS "bot_displayName", b.avatar AS "bot_avatar",
              b.status AS "bot_status"
       FROM "ChatSession" s JOIN "Bot" b ON b.id = s."botId"
       WHERE s."userId" = $1 AND s."botId" IS NOT NULL ${keyset}
       ORDER BY s."lastActiveAt" DESC, s.id DESC
       LIMIT $2
     ) page ON true`,
    params,
  );
  const page = { rows: all.filter((r) => r.id != null) };
  const counted = { rows: [{ total: all[0]?.total ?? 0 }] };
  const rows = page.rows.slice(0, limit);
  const last = rows[rows.length - 1];
  return {
    sessions: rows.map((r) => ({
      id: r.id, title: r.title, status: r.status, botId: r.botId,
      bot: { id: r.botId, name: r.bot_name, displayName: r.bot_displayName, avatar: r.bot_avatar, status: r.bot_status },
      messageCount: r.messageCount, unreadCount: r.unreadCount, lastActiveAt: r.lastActiveAt, createdAt: r.createdAt,
      updatedAt: r.updatedAt, closedAt: r.closedAt,
      lastMessage: r.lastMessageId && r.lastMessageSenderType && r.lastMessageAt
        ? { id: r.lastMessageId, content: (r.lastMessageContent ?? "").slice(0, 100), senderType: r.lastMessageSenderType, createdAt: r.lastMessageAt }
        : null,
    })),
    total: counted.rows[0]!.total,
    nextCursor: page.rows.length > limit && last
      ? Buffer.from(JSON.stringify([last.lastActiveAt.toISOString(), last.id])).toString("base64url")
      : null,
  };
}

const MESSAGE_COLUMNS = `id, "sessionId", seq, "senderType", "senderId", "senderName", "botId", "messageType",
  content, "contentType", "replyToId", status, "ackStatus", "clientId", error, "createdAt"`;

type MessageRow = { id: string; replyToId: string | null; [column: string]: unknown };

function toMessage({ replyToId, ...rest }: MessageRow) {
  return { ...rest, messageType: "text", replyTo: replyToId };
}

async function listMessages(userId: string, url: URL) {
  const sessionId = url.searchParams.get("sessionId") ?? "";
  const before = url.searchParams.get("before");
  const limit = Math.min(100, Math.max(1, Number(url.searchParams.get("limit") ?? 50)));
  // The app's statement: ownership, the seq of `before` and the page, in one round trip.
  const { rows: all } = await pool.query<MessageRow & { beforeSeq: number | null }>(
    `WITH owned AS MATERIALIZED (
       SELECT s.id AS "ownedId", ${before ? `(SELECT m.seq FROM "Message" m WHERE m.id = $4 AND m."sessionId" = s.id)` : "NULL::int"} AS "beforeSeq"
       FROM "ChatSession" s WHERE s.id = $1 AND s."userId" = $2
     )
     SELECT owned."beforeSeq", page.* FROM owned LEFT JOIN LATERAL (
       SELECT ${MESSAGE_COLUMNS} FROM "Message"
       WHERE "sessionId" = owned."ownedId" ${before ? `AND seq < owned."beforeSeq"` : ""}
       ORDER BY seq DESC LIMIT $3
     ) page ON true`,
    before ? [sessionId, userId, limit + 1, before] : [sessionId, userId, limit + 1],
  );
  if (all.length === 0) throw new HttpError(404, "Session not found");
  if (before && all[0]!.beforeSeq === null) throw new HttpError(400, "before must name a message of this session");
  const rows = all.filter((r) => r.id != null) as MessageRow[];
  for (const row of rows) delete (row as { beforeSeq?: unknown }).beforeSeq;
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit).reverse().map(toMessage);
  return { messages: page, hasMore, nextCursor: hasMore ? page[0]!.id : null };
}

const NOW = `(clock_timestamp() AT TIME ZONE 'UTC')`;

async function sendMessage(user: { id: string; name: string }, body: { sessionId: string; content: string; clientId?: string }) {
  const content = String(body.content ?? "").trim();
  if (!content || content.length > 10_000) throw new HttpError(400, "content");
  const id = createId();
  const { rows } = await pool.query<MessageRow>(
    `WITH s AS (
       UPDATE "ChatSession" SET
         "messageCount" = "messageCount" + 1, "lastActiveAt" = ${NOW}, "updatedAt" = ${NOW},
         "lastMessageId" = $1, "lastMessageContent" = left($2, 100), "lastMessageSenderType" = 'user', "lastMessageAt" = ${NOW}
       WHERE id = $3 AND "userId" = $4 AND status <> 'closed'
       RETURNING id, "messageCount", "botId", "lastActiveAt"
     )
     INSERT INTO "Message" (id, "sessionId", "userId", seq, "senderType", "senderId", "senderName", "botId", content,
       "contentType", "replyToId", status, "ackStatus", "clientId", "createdAt", "updatedAt")
     SELECT $1, s.id, $4, s."messageCount", 'user', $4, $5, s."botId", $2, 'markdown', NULL, 'sent', 'pending', $6,
       s."lastActiveAt", s."lastActiveAt"
     FROM s
     RETURNING ${MESSAGE_COLUMNS}`,
    [id, content, body.sessionId, user.id, user.name, body.clientId ?? null],
  );
  if (!rows[0]) throw new HttpError(412, "Session not found or closed");
  return { message: toMessage(rows[0]), sessionId: body.sessionId };
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
server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  console.log(`floor listening on ${typeof address === "object" && address ? address.port : port}`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    void pool.end().finally(() => process.exit(0));
  });
}
