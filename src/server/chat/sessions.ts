import type { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import type {
  CloseSessionOutput,
  CreateSessionInput,
  CreateSessionOutput,
  GetSessionOutput,
  ListSessionsInput,
  ListSessionsOutput,
  MarkReadOutput,
} from "@/shared";
import type { Db } from "../db";
import { badRequest, notFound } from "../errors";
import { botAccess, botForNewSession } from "./bots";
import { toBot, toBotSummary, toLastMessage, toSession, type BotRow, type SessionRow } from "./dto";

const SESSION_COLUMNS = Prisma.sql`s.id, s.title, s.status, s."botId", s."messageCount", s."unreadCount",
  s."lastActiveAt", s."createdAt", s."updatedAt", s."closedAt", s."lastMessageId", s."lastMessageContent",
  s."lastMessageSenderType", s."lastMessageAt"`;

/** The page position: the last row's (lastActiveAt, id), opaque to clients. */
function encodeCursor(row: Pick<SessionRow, "lastActiveAt" | "id">): string {
  return Buffer.from(JSON.stringify([row.lastActiveAt.toISOString(), row.id])).toString("base64url");
}

function decodeCursor(cursor: string): { lastActiveAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, unknown];
    const lastActiveAt = new Date(String(at));
    // Years 1..9999 only: the pg adapter writes other years in forms PostgreSQL refuses (a 500).
    const year = lastActiveAt.getUTCFullYear();
    if (typeof id !== "string" || Number.isNaN(year) || year < 1 || year > 9999) throw new Error();
    return { lastActiveAt, id };
  } catch {
    throw badRequest("Invalid cursor");
  }
}

type ListedRow = SessionRow & { bot_name: string | null; bot_displayName: string | null; bot_avatar: string | null; bot_status: BotRow["status"] | null };

/**
 * The caller's sessions that have a bot, newest activity first, in one statement whatever the page
 * size or the number of sessions: the page is a keyset scan on (lastActiveAt, id) with the bot
 * joined and the last-message preview stored on the session; the total sums a few rows of
 * ChatSessionTally instead of counting sessions.
 */
export async function listSessions(db: Db, userId: string, input: z.output<typeof ListSessionsInput>): Promise<ListSessionsOutput> {
  const filters = [Prisma.sql`s."userId" = ${userId}`, Prisma.sql`s."botId" IS NOT NULL`];
  const tallyFilters = [Prisma.sql`"userId" = ${userId}`];
  if (input.status) {
    filters.push(Prisma.sql`s.status = ${input.status}::"SessionStatus"`);
    tallyFilters.push(Prisma.sql`status = ${input.status}::"SessionStatus"`);
  }
  if (input.botId) {
    filters.push(Prisma.sql`s."botId" = ${input.botId}`);
    tallyFilters.push(Prisma.sql`"botId" = ${input.botId}`);
  }
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const keyset = after ? Prisma.sql`AND (s."lastActiveAt", s.id) < (${after.lastActiveAt}::timestamp, ${after.id})` : Prisma.empty;

  // One row per session of the page, each carrying the total; a page past the end is one row of
  // nulls carrying it.
  const rows = await db.$queryRaw<(Partial<ListedRow> & { total: number })[]>`
    WITH tally AS (
      SELECT COALESCE(SUM(count), 0)::int AS total FROM "ChatSessionTally" WHERE ${Prisma.join(tallyFilters, " AND ")}
    )
    SELECT tally.total, page.* FROM tally LEFT JOIN LATERAL (
      SELECT ${SESSION_COLUMNS}, b.name AS "bot_name", b."displayName" AS "bot_displayName",
             b.avatar AS "bot_avatar", b.status AS "bot_status"
      FROM "ChatSession" s JOIN "Bot" b ON b.id = s."botId"
      WHERE ${Prisma.join(filters, " AND ")} ${keyset}
      ORDER BY s."lastActiveAt" DESC, s.id DESC
      LIMIT ${input.limit + 1}
    ) page ON true`;
  const found = rows.filter((row): row is ListedRow & { total: number } => row.id != null);
  const page = found.slice(0, input.limit);
  return {
    sessions: page.map((row) => ({
      ...toSession(row, toBotSummary({ id: row.botId!, name: row.bot_name!, displayName: row.bot_displayName!, avatar: row.bot_avatar, status: row.bot_status! })),
      lastMessage: toLastMessage(row),
    })),
    total: rows[0]?.total ?? 0,
    nextCursor: found.length > input.limit ? encodeCursor(page[page.length - 1]!) : null,
  };
}

export async function createSession(db: Db, userId: string, input: z.output<typeof CreateSessionInput>): Promise<CreateSessionOutput> {
  const bot = await botForNewSession(db, userId, input.botId);
  const session = await db.chatSession.create({
    data: {
      userId,
      botId: bot.id,
      primaryAgentId: bot.agentId,
      title: input.title ?? `Chat with ${bot.displayName || bot.name}`,
    },
  });
  return { session: { ...toSession(session, toBotSummary(bot)), bot: toBot(bot) } };
}

type SessionWithBotRow = SessionRow & { botAccess: boolean } & { [K in keyof BotRow as `bot_${K}`]: BotRow[K] | null };

/**
 * The session with its bot, in one statement, and whether the caller may still use that bot: a
 * private bot whose grant was revoked keeps its history readable, but the composer says why it
 * cannot send (sendMessage refuses with FORBIDDEN by the same rule).
 */
export async function getSession(db: Db, userId: string, sessionId: string): Promise<GetSessionOutput> {
  // Another user's session is "not found", exactly like a missing one: its existence is not revealed.
  const [row] = await db.$queryRaw<SessionWithBotRow[]>`
    SELECT ${SESSION_COLUMNS}, (b.id IS NULL OR ${botAccess(userId)}) AS "botAccess",
      b.id AS "bot_id", b.name AS "bot_name", b."displayName" AS "bot_displayName", b.avatar AS "bot_avatar",
      b.status AS "bot_status", b.description AS "bot_description", b.visibility AS "bot_visibility",
      b."createdAt" AS "bot_createdAt"
    FROM "ChatSession" s LEFT JOIN "Bot" b ON b.id = s."botId"
    WHERE s.id = ${sessionId} AND s."userId" = ${userId}`;
  if (!row) throw notFound("Session");
  const bot = row.bot_id
    ? toBot({
        id: row.bot_id, name: row.bot_name!, displayName: row.bot_displayName!, avatar: row.bot_avatar,
        status: row.bot_status!, description: row.bot_description, visibility: row.bot_visibility!, createdAt: row.bot_createdAt!,
      })
    : null;
  return { session: { ...toSession(row, bot), bot, botAccess: row.botAccess } };
}

/**
 * Turns the session's delivered bot messages to read in one statement. The unread count drops by
 * exactly the rows turned, so a reply stored concurrently (which adds one) is never lost from it.
 */
export async function markRead(db: Db, userId: string, sessionId: string): Promise<MarkReadOutput> {
  const [result] = await db.$queryRaw<[{ found: number; marked: number }]>`
    WITH owned AS (SELECT id FROM "ChatSession" WHERE id = ${sessionId} AND "userId" = ${userId}),
    marked AS (
      UPDATE "Message" SET status = 'read', "updatedAt" = (clock_timestamp() AT TIME ZONE 'UTC')
      WHERE "sessionId" IN (SELECT id FROM owned) AND status = 'delivered' AND "senderType" = 'bot'
      RETURNING 1
    ),
    counted AS (SELECT count(*)::int AS n FROM marked),
    updated AS (
      UPDATE "ChatSession" SET "unreadCount" = GREATEST("unreadCount" - (SELECT n FROM counted), 0)
      WHERE id IN (SELECT id FROM owned)
      RETURNING id
    )
    SELECT (SELECT count(*)::int FROM updated) AS found, (SELECT n FROM counted) AS marked`;
  if (!result || result.found === 0) throw notFound("Session");
  return { sessionId, markedRead: result.marked };
}

/** Closing twice is fine: the first closedAt (and updatedAt) stay. */
export async function closeSession(db: Db, userId: string, sessionId: string): Promise<CloseSessionOutput> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "ChatSession" SET
      "closedAt" = COALESCE("closedAt", (clock_timestamp() AT TIME ZONE 'UTC')),
      "updatedAt" = CASE WHEN status = 'closed' THEN "updatedAt" ELSE (clock_timestamp() AT TIME ZONE 'UTC') END,
      status = 'closed'
    WHERE id = ${sessionId} AND "userId" = ${userId}
    RETURNING id`;
  if (rows.length === 0) throw notFound("Session");
  return { sessionId, status: "closed" };
}
