import type { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import type {
  CloseSessionOutput,
  CreateSessionInput,
  CreateSessionOutput,
  GetSessionOutput,
  ListSessionsInput,
  DeleteSessionOutput,
  ListSessionsOutput,
  MarkReadOutput,
  RenameSessionInput,
  RenameSessionOutput,
} from "@/shared";
import { createId } from "@paralleldrive/cuid2";
import { Id } from "@/shared";
import { queryRows, type Db } from "../db";
import { badRequest, notFound } from "../errors";
import { appendEvents, appendEventsFrom, EVENT_RANGE_COLUMNS, eventRange, type EventRangeColumns } from "../events/log";
import { botAccess, botForNewSession } from "./bots";
import type { ChatDeps } from "./deps";
import { NOW, SESSION_COLUMNS, toBot, toBotSummary, toLastMessage, toSession, type BotRow, type SessionRow } from "./dto";

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
    if (Number.isNaN(year) || year < 1 || year > 9999) throw new Error();
    // The id inside is input too: it passes the rule every input id passes (a NUL would be a 500).
    return { lastActiveAt, id: Id.parse(id) };
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
  const rows = await queryRows<Partial<ListedRow> & { total: number }>(db, Prisma.sql`
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
    ) page ON true`);
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

/** A new session, stamped by the database's clock like every other row, announced to the user's other tabs. */
export async function createSession(deps: ChatDeps, userId: string, input: z.output<typeof CreateSessionInput>): Promise<CreateSessionOutput> {
  const bot = await botForNewSession(deps.db, userId, input.botId);
  const [row] = await deps.db.$queryRaw<(SessionRow & EventRangeColumns)[]>`
    WITH s AS (
      INSERT INTO "ChatSession" (id, "userId", "botId", "primaryAgentId", title, "lastActiveAt", "createdAt", "updatedAt")
      VALUES (${createId()}, ${userId}, ${bot.id}, ${bot.agentId}, ${input.title ?? `Chat with ${bot.displayName || bot.name}`}, ${NOW}, ${NOW}, ${NOW})
      RETURNING *
    ),
    ${appendEvents(Prisma.sql`SELECT "userId" FROM s`, [{ type: "session.updated", sessionId: Prisma.sql`SELECT id FROM s` }])}
    SELECT ${SESSION_COLUMNS}, ${EVENT_RANGE_COLUMNS} FROM s`;
  deps.events.committed(eventRange(row));
  return { session: { ...toSession(row!, toBotSummary(bot)), bot: toBot(bot) } };
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
 * Turns the session's delivered bot messages to read in one statement, the session row locked first
 * as by every writer. The unread count drops by exactly the rows turned, so a reply stored
 * concurrently (which adds one) is never lost from it; a call that turns nothing writes nothing.
 */
export async function markRead(deps: ChatDeps, userId: string, sessionId: string): Promise<MarkReadOutput> {
  const [result] = await deps.db.$queryRaw<[{ found: number; marked: number } & EventRangeColumns]>`
    WITH owned AS (SELECT id, "userId" FROM "ChatSession" WHERE id = ${sessionId} AND "userId" = ${userId} FOR UPDATE),
    marked AS (
      UPDATE "Message" SET status = 'read', "updatedAt" = ${NOW}
      WHERE "sessionId" = (SELECT id FROM owned) AND status = 'delivered' AND "senderType" = 'bot'
      RETURNING id, seq
    ),
    counted AS (SELECT count(*)::int AS n FROM marked),
    updated AS (
      UPDATE "ChatSession" SET "unreadCount" = GREATEST("unreadCount" - (SELECT n FROM counted), 0), "updatedAt" = ${NOW}
      WHERE id = (SELECT id FROM owned) AND (SELECT n FROM counted) > 0
      RETURNING id, "userId"
    ),
    ${appendEventsFrom(Prisma.sql`SELECT "userId" FROM updated`, Prisma.sql`
      SELECT marked.seq AS ord, (SELECT id FROM updated) AS "sessionId", 'message.updated' AS type, marked.id AS "messageId" FROM marked
      WHERE EXISTS (SELECT 1 FROM updated)
      UNION ALL
      SELECT 2147483647, id, 'session.updated', NULL FROM updated`)}
    SELECT (SELECT count(*)::int FROM owned) AS found, (SELECT n FROM counted) AS marked, ${EVENT_RANGE_COLUMNS}`;
  if (!result || result.found === 0) throw notFound("Session");
  deps.events.committed(eventRange(result));
  return { sessionId, markedRead: result.marked };
}

/** Closing twice is fine: the first closedAt (and updatedAt) stay, and nothing is announced again. */
export async function closeSession(deps: ChatDeps, userId: string, sessionId: string): Promise<CloseSessionOutput> {
  const [result] = await deps.db.$queryRaw<[{ found: number } & EventRangeColumns]>`
    WITH owned AS (SELECT id, status FROM "ChatSession" WHERE id = ${sessionId} AND "userId" = ${userId} FOR UPDATE),
    s AS (
      UPDATE "ChatSession" SET "closedAt" = ${NOW}, "updatedAt" = ${NOW}, status = 'closed'
      WHERE id = (SELECT id FROM owned) AND status <> 'closed'
      RETURNING id, "userId"
    ),
    ${appendEvents(Prisma.sql`SELECT "userId" FROM s`, [{ type: "session.updated", sessionId: Prisma.sql`SELECT id FROM s` }])}
    SELECT (SELECT count(*)::int FROM owned) AS found, ${EVENT_RANGE_COLUMNS}`;
  if (!result || result.found === 0) throw notFound("Session");
  deps.events.committed(eventRange(result));
  return { sessionId, status: "closed" };
}

function toListedSession(row: ListedRow) {
  return toSession(
    row,
    row.botId && row.bot_name
      ? toBotSummary({ id: row.botId, name: row.bot_name, displayName: row.bot_displayName!, avatar: row.bot_avatar, status: row.bot_status! })
      : null,
  );
}

/**
 * A new title, in one statement under the session's row lock, announced to every tab
 * (session.updated). The same title again changes and announces nothing. A closed session may be
 * renamed: a title is for finding it again.
 */
export async function renameSession(deps: ChatDeps, userId: string, input: z.output<typeof RenameSessionInput>): Promise<RenameSessionOutput> {
  const [row] = await deps.db.$queryRaw<(ListedRow & EventRangeColumns)[]>`
    WITH owned AS (SELECT id FROM "ChatSession" WHERE id = ${input.sessionId} AND "userId" = ${userId} FOR UPDATE),
    renamed AS (
      UPDATE "ChatSession" SET title = ${input.title}, "updatedAt" = ${NOW}
      WHERE id = (SELECT id FROM owned) AND title IS DISTINCT FROM ${input.title}
      RETURNING *
    ),
    ${appendEvents(Prisma.sql`SELECT "userId" FROM renamed`, [{ type: "session.updated", sessionId: Prisma.sql`SELECT id FROM renamed` }])}
    SELECT ${SESSION_COLUMNS}, b.name AS "bot_name", b."displayName" AS "bot_displayName", b.avatar AS "bot_avatar",
      b.status AS "bot_status", ${EVENT_RANGE_COLUMNS}
    FROM (
      SELECT * FROM renamed
      UNION ALL
      SELECT * FROM "ChatSession" WHERE id = (SELECT id FROM owned) AND NOT EXISTS (SELECT 1 FROM renamed)
    ) s LEFT JOIN "Bot" b ON b.id = s."botId"`;
  if (!row) throw notFound("Session");
  deps.events.committed(eventRange(row));
  return { session: toListedSession(row) };
}

/**
 * Deletes the session with its messages and dispatches, in one statement under its row lock, which
 * also writes session.deleted to the event log (which has no foreign key to sessions, so the event
 * outlives them): every tab leaves the thread, and one that reconnects later learns it from the log.
 * The tally triggers keep the session list's totals exact.
 *
 * A reply still running for it ends cleanly: on this instance it is aborted at once; on another,
 * its agent finds its dispatch gone at its next save or check (within half a second) and stops, and
 * every statement that would have stored its words finds no session and writes nothing. A job not
 * started yet finds no dispatch and does nothing.
 */
export async function deleteSession(deps: ChatDeps, userId: string, sessionId: string): Promise<DeleteSessionOutput> {
  const [row] = await deps.db.$queryRaw<({ deleted: number; unfinished: string[] } & EventRangeColumns)[]>`
    WITH owned AS (SELECT id, "userId" FROM "ChatSession" WHERE id = ${sessionId} AND "userId" = ${userId} FOR UPDATE),
    unfinished AS (
      SELECT id FROM "Dispatch" WHERE "sessionId" = (SELECT id FROM owned) AND status IN ('queued', 'running', 'waiting')
    ),
    ${appendEvents(Prisma.sql`SELECT "userId" FROM owned`, [{ type: "session.deleted", sessionId: Prisma.sql`SELECT id FROM owned` }])},
    gone AS (DELETE FROM "ChatSession" WHERE id = (SELECT id FROM owned) RETURNING id)
    SELECT (SELECT count(*)::int FROM gone) AS deleted, ARRAY(SELECT id FROM unfinished) AS unfinished, ${EVENT_RANGE_COLUMNS}`;
  if (!row || row.deleted === 0) throw notFound("Session");
  deps.events.committed(eventRange(row));
  for (const id of row.unfinished) deps.queue.abort(id);
  return { sessionId, deleted: true };
}
