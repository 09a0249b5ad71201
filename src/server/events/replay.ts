import { Prisma } from "@/generated/prisma/client";
import type { ChatEvent } from "@/shared";
import { MESSAGE_COLUMNS, SESSION_COLUMNS, toBotSummary, toMessage, toSession, type BotRow, type MessageRow, type SessionRow } from "../chat/dto";
import type { Db } from "../db";

/** A stored event as subscribers receive it: its seq (the tracked id) and its payload. */
export type StoredEvent = { seq: number; event: ChatEvent };

/** How many events one read returns; a subscriber far behind reads again. */
export const REPLAY_PAGE = 500;

type EventRow = { seq: number; type: string; sessionId: string; messageId: string | null };
type SessionWithBot = SessionRow & { userId: string; bot_name: string | null; bot_displayName: string | null; bot_avatar: string | null; bot_status: BotRow["status"] | null };

/**
 * The user's events with seq in (after, upTo], oldest first, each with its payload read from the
 * current row: a replayed event carries the state now, never an older one, so applying events in
 * order can only move a client forward. An event whose row is gone (its session was deleted) is
 * skipped; `session.deleted` needs none.
 */
export async function loadEvents(
  db: Db,
  userId: string,
  range: { after: number; upTo?: number; sessionId?: string },
): Promise<{ events: StoredEvent[]; lastSeq: number; full: boolean }> {
  const rows = await db.$queryRaw<EventRow[]>`
    SELECT seq, type, "sessionId", "messageId" FROM "ChatEvent"
    WHERE "userId" = ${userId} AND seq > ${range.after}
      ${range.upTo !== undefined ? Prisma.sql`AND seq <= ${range.upTo}` : Prisma.empty}
      ${range.sessionId ? Prisma.sql`AND "sessionId" = ${range.sessionId}` : Prisma.empty}
    ORDER BY seq LIMIT ${REPLAY_PAGE}`;
  if (rows.length === 0) return { events: [], lastSeq: range.after, full: false };
  const messageIds = [...new Set(rows.flatMap((r) => (r.messageId ? [r.messageId] : [])))];
  const sessionIds = [...new Set(rows.flatMap((r) => (r.type === "session.updated" ? [r.sessionId] : [])))];
  const [messages, sessions] = await Promise.all([
    messageIds.length
      ? db.$queryRaw<MessageRow[]>`SELECT ${MESSAGE_COLUMNS} FROM "Message" WHERE id IN (${Prisma.join(messageIds)})`
      : [],
    sessionIds.length
      ? db.$queryRaw<SessionWithBot[]>`
          SELECT ${SESSION_COLUMNS}, s."userId", b.name AS "bot_name", b."displayName" AS "bot_displayName",
            b.avatar AS "bot_avatar", b.status AS "bot_status"
          FROM "ChatSession" s LEFT JOIN "Bot" b ON b.id = s."botId"
          WHERE s.id IN (${Prisma.join(sessionIds)}) AND s."userId" = ${userId}`
      : [],
  ]);
  const messageById = new Map(messages.map((m) => [m.id, toMessage(m)]));
  const sessionById = new Map(
    sessions.map((s) => [
      s.id,
      toSession(
        s,
        s.botId && s.bot_name
          ? toBotSummary({ id: s.botId, name: s.bot_name, displayName: s.bot_displayName!, avatar: s.bot_avatar, status: s.bot_status! })
          : null,
      ),
    ]),
  );
  const events: StoredEvent[] = [];
  for (const row of rows) {
    const seq = Number(row.seq);
    switch (row.type) {
      case "message.created":
      case "message.updated": {
        const message = row.messageId ? messageById.get(row.messageId) : undefined;
        if (message) events.push({ seq, event: { type: row.type, sessionId: row.sessionId, message } });
        break;
      }
      case "session.updated": {
        const session = sessionById.get(row.sessionId);
        if (session) events.push({ seq, event: { type: "session.updated", sessionId: row.sessionId, session } });
        break;
      }
      case "session.deleted":
        events.push({ seq, event: { type: "session.deleted", sessionId: row.sessionId } });
        break;
    }
  }
  // Skipped rows still count: the caller resumes after the last seq read, not the last one kept.
  return { events, lastSeq: Number(rows.at(-1)!.seq), full: rows.length === REPLAY_PAGE };
}

/** The user's newest seq: where a subscriber without lastEventId starts. */
export async function latestSeq(db: Db, userId: string): Promise<number> {
  const [row] = await db.$queryRaw<{ eventSeq: number }[]>`SELECT "eventSeq" FROM "User" WHERE id = ${userId}`;
  return Number(row?.eventSeq ?? 0);
}
