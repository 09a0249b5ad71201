import { randomUUID } from "node:crypto";
import { createId } from "@paralleldrive/cuid2";
import type { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import type {
  ListMessagesInput, ListMessagesOutput, Message, RegenerateOutput, RetryMessageOutput, SendMessageInput, SendMessageOutput,
} from "@/shared";
import { LIMITS } from "@/shared";
import { queryRows, transaction, type Db } from "../db";
import { badRequest, notFound, permissionDenied, preconditionFailed } from "../errors";
import { appendEvents, EVENT_RANGE_COLUMNS, eventRange, type EventRangeColumns } from "../events/log";
import { sessionBotAccess } from "./bots";
import { constraintViolation } from "./constraints";
import type { ChatDeps } from "./deps";
import { MESSAGE_COLUMNS, NOW, toMessage, type MessageRow } from "./dto";

/**
 * A page of the session's history, oldest first, paged by seq, in one statement: the session
 * (ownership, and the seq of the message named by `before`, `after` or `around` within it) joined
 * to the page. Each side that pages fetches one extra row, so `hasMore` and `hasNewer` are exact.
 * A session without messages, or an anchor outside it, is one row of nulls that still says which.
 *
 * - newest (no anchor): the newest `limit`;
 * - `before`: the newest `limit` older than it;
 * - `after`: the oldest `limit` newer than it;
 * - `around`: it, with about as many older as newer messages (more of one side where the other
 *   runs out), for a thread opened at a search result.
 */
export async function listMessages(db: Db, userId: string, input: z.output<typeof ListMessagesInput>): Promise<ListMessagesOutput> {
  const anchor = input.before ?? input.after ?? input.around;
  const anchorField = input.before ? "before" : input.after ? "after" : "around";
  const anchorSeq = anchor
    ? Prisma.sql`(SELECT m.seq FROM "Message" m WHERE m.id = ${anchor} AND m."sessionId" = s.id)`
    : Prisma.sql`NULL::int`;
  const take = input.limit + 1;
  const page = input.before
    ? Prisma.sql`SELECT ${MESSAGE_COLUMNS} FROM "Message" WHERE "sessionId" = owned."ownedId" AND seq < owned."anchorSeq" ORDER BY seq DESC LIMIT ${take}`
    : input.after
      ? Prisma.sql`SELECT ${MESSAGE_COLUMNS} FROM "Message" WHERE "sessionId" = owned."ownedId" AND seq > owned."anchorSeq" ORDER BY seq LIMIT ${take}`
      : input.around
        ? Prisma.sql`(SELECT ${MESSAGE_COLUMNS} FROM "Message" WHERE "sessionId" = owned."ownedId" AND seq <= owned."anchorSeq" ORDER BY seq DESC LIMIT ${take})
            UNION ALL
            (SELECT ${MESSAGE_COLUMNS} FROM "Message" WHERE "sessionId" = owned."ownedId" AND seq > owned."anchorSeq" ORDER BY seq LIMIT ${take})`
        : Prisma.sql`SELECT ${MESSAGE_COLUMNS} FROM "Message" WHERE "sessionId" = owned."ownedId" ORDER BY seq DESC LIMIT ${take}`;
  const rows = await queryRows<Partial<MessageRow> & { anchorSeq: number | null }>(db, Prisma.sql`
    WITH owned AS MATERIALIZED (
      SELECT s.id AS "ownedId", ${anchorSeq} AS "anchorSeq" FROM "ChatSession" s
      WHERE s.id = ${input.sessionId} AND s."userId" = ${userId}
    )
    SELECT owned."anchorSeq", page.* FROM owned LEFT JOIN LATERAL (${page}) page ON true`);
  if (rows.length === 0) throw notFound("Session");
  if (anchor && rows[0]!.anchorSeq === null) throw badRequest(`${anchorField} must name a message of this session`);
  const found = rows.filter((row): row is MessageRow & { anchorSeq: number | null } => row.id != null).map(toMessage);
  found.sort((a, b) => a.seq - b.seq);

  let messages: Message[];
  let hasMore: boolean;
  let hasNewer: boolean;
  if (input.around) {
    const at = Number(rows[0]!.anchorSeq);
    const older = found.filter((m) => m.seq <= at);
    const newer = found.filter((m) => m.seq > at);
    const newerTaken = Math.min(newer.length, input.limit - Math.min(older.length, Math.ceil(input.limit / 2)));
    const olderTaken = Math.min(older.length, input.limit - newerTaken);
    messages = [...older.slice(older.length - olderTaken), ...newer.slice(0, newerTaken)];
    hasMore = older.length > olderTaken;
    hasNewer = newer.length > newerTaken;
  } else if (input.after) {
    messages = found.slice(0, input.limit);
    hasNewer = found.length > input.limit;
    // The anchor itself is older than any of the page.
    hasMore = messages.length > 0;
  } else {
    messages = found.slice(found.length - Math.min(found.length, input.limit));
    hasMore = found.length > input.limit;
    // A page before a message always has that message after it; the newest page has nothing after.
    hasNewer = !!input.before && messages.length > 0;
  }
  return {
    messages,
    hasMore,
    nextCursor: hasMore ? messages[0]!.id : null,
    hasNewer,
    newerCursor: hasNewer ? messages.at(-1)!.id : null,
  };
}

type Sender = { id: string; name: string };

/** Thrown inside a send's transaction when its statement stored nothing: rolls back the job enqueued before it. */
class NothingStored extends Error {}

/**
 * Stores the user's message (sent, ack pending) and hands it to the bot's agent, in one transaction:
 * the dispatch job is enqueued first (its id is the new Dispatch's, chosen here), then one statement
 * locks the session row while it bumps messageCount and lastActiveAt (the new count is the message's
 * seq, so concurrent sends get 1, 2, 3 … with no gap and no lost count), inserts the message, its
 * Dispatch and their events, and the transaction commits: a message is never stored without its
 * job, nor a job without its message (a send that stores nothing rolls the job back). In that
 * order the session's and the user's row locks are held from the storing statement to the commit
 * only, not across the queue's round trip as well: every write of the user waits on them.
 *
 * A repeated clientId hits the unique (sessionId, clientId) index, the transaction rolls back whole,
 * and the first message is returned. A replyTo outside this session breaks the (replyToId, sessionId)
 * foreign key.
 * A session whose private bot the sender may no longer use (grant revoked) matches no row, like a
 * closed one.
 */
export async function sendMessage(deps: ChatDeps, sender: Sender, input: z.output<typeof SendMessageInput>): Promise<SendMessageOutput> {
  const id = createId();
  const dispatchId = randomUUID();
  let row: (MessageRow & EventRangeColumns) | undefined;
  try {
    row = await transaction(deps.db, async (tx) => {
      await deps.queue.enqueue(tx, { dispatchId, sessionId: input.sessionId });
      const [stored] = await tx.rows<MessageRow & EventRangeColumns>(Prisma.sql`
        WITH s AS (
          UPDATE "ChatSession" SET
            "messageCount" = "messageCount" + 1, "pendingReplies" = "pendingReplies" + 1,
            "lastActiveAt" = ${NOW}, "updatedAt" = ${NOW},
            "lastMessageId" = ${id}, "lastMessageContent" = left(${input.content}, ${LIMITS.lastMessagePreview}),
            "lastMessageSenderType" = 'user', "lastMessageAt" = ${NOW}
          WHERE id = ${input.sessionId} AND "userId" = ${sender.id} AND status <> 'closed'
            AND ${sessionBotAccess(sender.id, Prisma.sql`"ChatSession"`)}
          RETURNING id, "userId", "messageCount", "botId", "lastActiveAt"
        ),
        m AS (
          INSERT INTO "Message" (id, "sessionId", "userId", seq, "senderType", "senderId", "senderName", "botId", content,
            "contentType", "replyToId", status, "ackStatus", "clientId", "createdAt", "updatedAt")
          SELECT ${id}, s.id, s."userId", s."messageCount", 'user', ${sender.id}, ${sender.name}, s."botId", ${input.content},
            ${input.contentType}::"ContentType", ${input.replyTo ?? null}, 'sent', 'pending', ${input.clientId ?? null},
            s."lastActiveAt", s."lastActiveAt"
          FROM s
          RETURNING ${MESSAGE_COLUMNS}
        ),
        d AS (
          INSERT INTO "Dispatch" (id, "sessionId", "messageId", "userId", "createdAt")
          SELECT ${dispatchId}, m."sessionId", m.id, ${sender.id}, m."createdAt" FROM m
        ),
        ${appendEvents(Prisma.sql`SELECT "userId" FROM s`, [
          { type: "message.created", sessionId: Prisma.sql`SELECT id FROM s`, messageId: Prisma.sql`SELECT id FROM m` },
          { type: "session.updated", sessionId: Prisma.sql`SELECT id FROM s` },
        ])}
        SELECT m.*, ${EVENT_RANGE_COLUMNS} FROM m`);
      if (!stored) throw new NothingStored();
      return stored;
    });
  } catch (error) {
    if (!(error instanceof NothingStored)) {
      const violated = constraintViolation(error);
      if (violated === "Message_sessionId_clientId_key" && input.clientId) {
        const first = await messageByClientId(deps.db, input.sessionId, input.clientId);
        if (first) return { message: first, sessionId: input.sessionId };
      }
      if (violated === "Message_replyToId_sessionId_fkey" && input.replyTo) throw badRequest("replyTo must name a message of this session");
      throw error;
    }
  }
  if (row) {
    deps.events.committed(eventRange(row));
    deps.queue.wake();
    return { message: toMessage(row), sessionId: input.sessionId };
  }

  // Nothing stored: say why, in one statement. A retry of a message stored before the session
  // closed, or before the bot was taken away, still gets it back.
  const [session] = await deps.db.$queryRaw<({ botAccess: boolean } & Partial<MessageRow>)[]>`
    SELECT ${sessionBotAccess(sender.id, Prisma.sql`s`)} AS "botAccess", first.*
    FROM "ChatSession" s LEFT JOIN LATERAL (
      SELECT ${MESSAGE_COLUMNS} FROM "Message" WHERE "sessionId" = s.id AND "clientId" = ${input.clientId ?? null}
    ) first ON true
    WHERE s.id = ${input.sessionId} AND s."userId" = ${sender.id}`;
  if (!session) throw notFound("Session");
  if (session.id) return { message: toMessage(session as MessageRow), sessionId: input.sessionId };
  if (!session.botAccess) throw permissionDenied();
  throw preconditionFailed("Session is closed");
}

async function messageByClientId(db: Db, sessionId: string, clientId: string): Promise<Message | null> {
  const [row] = await db.$queryRaw<MessageRow[]>`
    SELECT ${MESSAGE_COLUMNS} FROM "Message" WHERE "sessionId" = ${sessionId} AND "clientId" = ${clientId}`;
  return row ? toMessage(row) : null;
}

/**
 * Which user message goes to its agent again: a failed one (Retry), or the session's last one
 * (Regenerate, whatever became of its reply).
 */
type DispatchAgain = { kind: "retry"; messageId: string } | { kind: "regenerate"; sessionId: string };

/**
 * Hands a user message to its agent again, in one statement: the session row is locked first (as by
 * every writer), the same message row turns back to sent / ack pending (never a second message)
 * under a new Dispatch, enqueued in the same transaction, and the reply that comes is a new message
 * after the newest (seq stays gapless; no reply is rewritten). Nothing happens in a closed session,
 * one whose bot the caller may no longer use, or (for a retry) to a message that did not fail, or
 * (for a regenerate) while a reply is still in progress: each is rechecked under the lock, so of two
 * such calls at once the second changes nothing.
 */
async function dispatchAgain(deps: ChatDeps, userId: string, again: DispatchAgain): Promise<(MessageRow & EventRangeColumns) | undefined> {
  const dispatchId = randomUUID();
  const open = Prisma.sql`"userId" = ${userId} AND status <> 'closed' AND ${sessionBotAccess(userId, Prisma.sql`"ChatSession"`)}`;
  const locked =
    again.kind === "retry"
      ? Prisma.sql`SELECT id, "userId" FROM "ChatSession"
          WHERE id = (SELECT "sessionId" FROM "Message" WHERE id = ${again.messageId}) AND ${open} FOR UPDATE`
      : Prisma.sql`SELECT id, "userId" FROM "ChatSession"
          WHERE id = ${again.sessionId} AND ${open} AND "pendingReplies" = 0 FOR UPDATE`;
  const target =
    again.kind === "retry"
      ? Prisma.sql`id = ${again.messageId} AND "sessionId" = (SELECT id FROM locked) AND "senderType" = 'user' AND status = 'failed'`
      : Prisma.sql`id = (SELECT id FROM "Message" WHERE "sessionId" = (SELECT id FROM locked) AND "senderType" = 'user' ORDER BY seq DESC LIMIT 1)`;
  const row = await transaction(deps.db, async (tx) => {
    const [updated] = await tx.rows<MessageRow & EventRangeColumns>(Prisma.sql`
      WITH locked AS (${locked}),
      m AS (
        UPDATE "Message" SET status = 'sent', "ackStatus" = 'pending', error = NULL, "updatedAt" = ${NOW}
        WHERE ${target}
        RETURNING ${MESSAGE_COLUMNS}
      ),
      s AS (
        UPDATE "ChatSession" SET "pendingReplies" = "pendingReplies" + 1, "updatedAt" = ${NOW}
        WHERE id = (SELECT "sessionId" FROM m)
        RETURNING id, "userId"
      ),
      d AS (
        INSERT INTO "Dispatch" (id, "sessionId", "messageId", "userId", "createdAt")
        SELECT ${dispatchId}, m."sessionId", m.id, ${userId}, ${NOW} FROM m
      ),
      ${appendEvents(Prisma.sql`SELECT "userId" FROM s`, [
        { type: "message.updated", sessionId: Prisma.sql`SELECT id FROM s`, messageId: Prisma.sql`SELECT id FROM m` },
        { type: "session.updated", sessionId: Prisma.sql`SELECT id FROM s` },
      ])}
      SELECT m.*, ${EVENT_RANGE_COLUMNS} FROM m`);
    if (updated) await deps.queue.enqueue(tx, { dispatchId, sessionId: updated.sessionId });
    return updated;
  });
  if (row) {
    deps.events.committed(eventRange(row));
    deps.queue.wake();
  }
  return row;
}

/** chat.retryMessage: the caller's failed message, handed to its agent again. */
export async function retryMessage(deps: ChatDeps, userId: string, messageId: string): Promise<RetryMessageOutput> {
  const row = await dispatchAgain(deps, userId, { kind: "retry", messageId });
  if (row) return { message: toMessage(row) };

  // Nothing changed: say why, without revealing another user's messages.
  const [found] = await deps.db.$queryRaw<{ senderType: string; status: string; sessionStatus: string; botAccess: boolean }[]>`
    SELECT m."senderType", m.status, s.status AS "sessionStatus", ${sessionBotAccess(userId, Prisma.sql`s`)} AS "botAccess"
    FROM "Message" m
    JOIN "ChatSession" s ON s.id = m."sessionId" AND s."userId" = ${userId}
    WHERE m.id = ${messageId}`;
  if (!found) throw notFound("Message");
  if (found.senderType !== "user") throw badRequest("Only your own messages can be retried");
  if (!found.botAccess) throw permissionDenied();
  if (found.sessionStatus === "closed") throw preconditionFailed("Session is closed");
  throw preconditionFailed("Only a failed message can be retried");
}

/**
 * chat.regenerate: the user's last message in the session, handed to its agent again. The new reply
 * comes after the old one, which stays as it was.
 */
export async function regenerate(deps: ChatDeps, userId: string, sessionId: string): Promise<RegenerateOutput> {
  const row = await dispatchAgain(deps, userId, { kind: "regenerate", sessionId });
  if (row) return { message: toMessage(row) };

  const [found] = await deps.db.$queryRaw<{ status: string; pendingReplies: number; botAccess: boolean; hasUserMessage: boolean }[]>`
    SELECT s.status, s."pendingReplies", ${sessionBotAccess(userId, Prisma.sql`s`)} AS "botAccess",
      EXISTS (SELECT 1 FROM "Message" m WHERE m."sessionId" = s.id AND m."senderType" = 'user') AS "hasUserMessage"
    FROM "ChatSession" s WHERE s.id = ${sessionId} AND s."userId" = ${userId}`;
  if (!found) throw notFound("Session");
  if (!found.botAccess) throw permissionDenied();
  if (found.status === "closed") throw preconditionFailed("Session is closed");
  if (!found.hasUserMessage) throw preconditionFailed("There is no message to answer again");
  // Also when the reply that was in progress ended between the two statements: the caller may try again.
  throw preconditionFailed("A reply is in progress");
}
