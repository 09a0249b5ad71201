import { Prisma } from "@/generated/prisma/client";
import type { Db } from "../db";

/**
 * The replayable event log (ChatEvent): writing statements append to it in the same statement that
 * makes the change, so an event exists exactly when its change committed.
 *
 * Each user has a counter (User.eventSeq). A statement bumps it under the user row's lock and takes
 * its events' seqs from it, so a lower seq always commits before a higher one. A reader resuming after
 * seq N therefore never misses an event that commits later below N, which a database sequence cannot
 * promise (its values are handed out at insert, not at commit).
 *
 * Lock order: a statement locks its session row first, then the user row (the user id is read from the
 * session CTE), the same order everywhere, so two writers never wait on each other in a cycle.
 */
export type StoredEventType = "message.created" | "message.updated" | "session.updated" | "session.deleted";

export type EventRow = {
  type: StoredEventType;
  /** SQL yielding the session id, usually a scalar subquery over a CTE of the statement. */
  sessionId: Prisma.Sql;
  /** SQL yielding the message id, for message events. */
  messageId?: Prisma.Sql;
};

/** A statement's events, as the bus needs them to deliver: the user and the range of seqs. */
export type EventRange = { userId: string; first: number; last: number };

/**
 * CTEs to splice into a writing statement after the CTEs they read. A row whose session id is NULL
 * (or, for a message event, whose message id is NULL) is dropped: a statement that changed nothing
 * writes no event, takes no lock on the user and leaves no gap in the user's seqs.
 */
export function appendEvents(userId: Prisma.Sql, rows: readonly EventRow[]): Prisma.Sql {
  const values = rows.map(
    (row, k) => Prisma.sql`(${k + 1}::int, (${row.sessionId})::text, ${row.type}::text, (${row.messageId ?? Prisma.sql`NULL`})::text, ${row.messageId ? 1 : 0}::int)`,
  );
  return appendEventsFrom(userId, Prisma.sql`
    SELECT ord, "sessionId", type, "messageId" FROM (VALUES ${Prisma.join(values)}) AS x(ord, "sessionId", type, "messageId", "needsMessage")
    WHERE "sessionId" IS NOT NULL AND ("needsMessage" = 0 OR "messageId" IS NOT NULL)`);
}

/**
 * The same for a variable number of events: `rows` selects (ord, "sessionId", type, "messageId"),
 * seqs being given in `ord` order. `ev_user` bumps the counter under the user row's lock, `ev`
 * inserts; the statement's final SELECT reads the range with EVENT_RANGE_COLUMNS.
 */
export function appendEventsFrom(userId: Prisma.Sql, rows: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`ev_rows AS (${rows}),
    ev_user AS (
      UPDATE "User" SET "eventSeq" = "eventSeq" + (SELECT count(*)::int FROM ev_rows)
      WHERE id = (${userId}) AND EXISTS (SELECT 1 FROM ev_rows)
      RETURNING id, "eventSeq"
    ),
    ev AS (
      INSERT INTO "ChatEvent" ("userId", seq, "sessionId", type, "messageId", "createdAt")
      SELECT ev_user.id, ev_user."eventSeq" - (SELECT count(*)::int FROM ev_rows) + (row_number() OVER (ORDER BY ev_rows.ord))::int,
        ev_rows."sessionId", ev_rows.type, ev_rows."messageId", (clock_timestamp() AT TIME ZONE 'UTC')
      FROM ev_user, ev_rows
      RETURNING "userId", seq
    )`;
}

/** Columns for a statement's final SELECT: the user and seq range of the events it wrote (nulls for none). */
export const EVENT_RANGE_COLUMNS = Prisma.sql`(SELECT min("userId") FROM ev) AS "eventUserId",
  (SELECT min(seq) FROM ev) AS "eventFirst", (SELECT max(seq) FROM ev) AS "eventLast"`;

export type EventRangeColumns = { eventUserId: string | null; eventFirst: number | null; eventLast: number | null };

export function eventRange(row: EventRangeColumns | undefined): EventRange | null {
  if (!row?.eventUserId || row.eventFirst == null || row.eventLast == null) return null;
  return { userId: row.eventUserId, first: Number(row.eventFirst), last: Number(row.eventLast) };
}

/**
 * Drops events older than the retention: the log exists for clients resuming after a dropped
 * connection or a reload, not as history (messages are the history).
 */
export async function pruneEvents(db: Db, retentionHours: number): Promise<number> {
  return db.$executeRaw`DELETE FROM "ChatEvent" WHERE "createdAt" < (clock_timestamp() AT TIME ZONE 'UTC') - make_interval(hours => ${retentionHours}::int)`;
}
