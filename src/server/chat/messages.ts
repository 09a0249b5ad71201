import { randomUUID } from "node:crypto";
import { createId } from "@paralleldrive/cuid2";
import type { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import type {
  ListMessagesInput, ListMessagesOutput, Message, RetryMessageOutput, SendMessageInput, SendMessageOutput,
} from "@/shared";
import { LIMITS } from "@/shared";
import type { Db } from "../db";
import { badRequest, notFound, permissionDenied, preconditionFailed } from "../errors";
import { appendEvents, EVENT_RANGE_COLUMNS, eventRange, type EventRangeColumns } from "../events/log";
import { sessionBotAccess } from "./bots";
import { constraintViolation } from "./constraints";
import type { ChatDeps } from "./deps";
import { MESSAGE_COLUMNS, NOW, toMessage, type MessageRow } from "./dto";

/**
 * The newest `limit` messages before `before` (or the newest overall), oldest first, paged by seq,
 * in one statement: the session (ownership, and the seq of `before` within it) joined to the page,
 * which fetches one extra row so `hasMore` is exact. A session without messages, or a `before`
 * outside it, is one row of nulls that still says which.
 */
export async function listMessages(db: Db, userId: string, input: z.output<typeof ListMessagesInput>): Promise<ListMessagesOutput> {
  const beforeSeq = input.before
    ? Prisma.sql`(SELECT m.seq FROM "Message" m WHERE m.id = ${input.before} AND m."sessionId" = s.id)`
    : Prisma.sql`NULL::int`;
  const rows = await db.$queryRaw<(Partial<MessageRow> & { beforeSeq: number | null })[]>`
    WITH owned AS MATERIALIZED (
      SELECT s.id AS "ownedId", ${beforeSeq} AS "beforeSeq" FROM "ChatSession" s
      WHERE s.id = ${input.sessionId} AND s."userId" = ${userId}
    )
    SELECT owned."beforeSeq", page.* FROM owned LEFT JOIN LATERAL (
      SELECT ${MESSAGE_COLUMNS} FROM "Message"
      WHERE "sessionId" = owned."ownedId" ${input.before ? Prisma.sql`AND seq < owned."beforeSeq"` : Prisma.empty}
      ORDER BY seq DESC
      LIMIT ${input.limit + 1}
    ) page ON true`;
  if (rows.length === 0) throw notFound("Session");
  if (input.before && rows[0]!.beforeSeq === null) throw badRequest("before must name a message of this session");
  const found = rows.filter((row): row is MessageRow & { beforeSeq: number | null } => row.id != null);
  const hasMore = found.length > input.limit;
  const page = found.slice(0, input.limit).reverse().map(toMessage);
  return { messages: page, hasMore, nextCursor: hasMore ? page[0]!.id : null };
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
    row = await deps.db.$transaction(async (tx) => {
      await deps.queue.enqueue(tx, { dispatchId, sessionId: input.sessionId });
      const [stored] = await tx.$queryRaw<(MessageRow & EventRangeColumns)[]>`
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
          INSERT INTO "Message" (id, "sessionId", seq, "senderType", "senderId", "senderName", "botId", content,
            "contentType", "replyToId", status, "ackStatus", "clientId", "createdAt", "updatedAt")
          SELECT ${id}, s.id, s."messageCount", 'user', ${sender.id}, ${sender.name}, s."botId", ${input.content},
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
        SELECT m.*, ${EVENT_RANGE_COLUMNS} FROM m`;
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
 * Hands a failed user message to its agent again: the same row turns back to sent / ack pending
 * (never a second message) under a new Dispatch, enqueued in the same transaction. Only the caller's
 * own failed message in an open session qualifies; anything else says why.
 */
export async function retryMessage(deps: ChatDeps, userId: string, messageId: string): Promise<RetryMessageOutput> {
  const dispatchId = randomUUID();
  const row = await deps.db.$transaction(async (tx) => {
    // The session row is locked first (as by every writer), then the message is turned back only if
    // it is still failed: of two retries at once, the second finds it sent and changes nothing.
    const [updated] = await tx.$queryRaw<(MessageRow & EventRangeColumns)[]>`
      WITH locked AS (
        SELECT id, "userId" FROM "ChatSession"
        WHERE id = (SELECT "sessionId" FROM "Message" WHERE id = ${messageId}) AND "userId" = ${userId} AND status <> 'closed'
        FOR UPDATE
      ),
      m AS (
        UPDATE "Message" SET status = 'sent', "ackStatus" = 'pending', error = NULL, "updatedAt" = ${NOW}
        WHERE id = ${messageId} AND "sessionId" = (SELECT id FROM locked) AND "senderType" = 'user' AND status = 'failed'
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
      SELECT m.*, ${EVENT_RANGE_COLUMNS} FROM m`;
    if (updated) await deps.queue.enqueue(tx, { dispatchId, sessionId: updated.sessionId });
    return updated;
  });
  if (row) {
    deps.events.committed(eventRange(row));
    deps.queue.wake();
    return { message: toMessage(row) };
  }

  // Nothing changed: say why, without revealing another user's messages.
  const [found] = await deps.db.$queryRaw<{ senderType: string; status: string; sessionStatus: string }[]>`
    SELECT m."senderType", m.status, s.status AS "sessionStatus" FROM "Message" m
    JOIN "ChatSession" s ON s.id = m."sessionId" AND s."userId" = ${userId}
    WHERE m.id = ${messageId}`;
  if (!found) throw notFound("Message");
  if (found.senderType !== "user") throw badRequest("Only your own messages can be retried");
  if (found.sessionStatus === "closed") throw preconditionFailed("Session is closed");
  throw preconditionFailed("Only a failed message can be retried");
}
