import { createId } from "@paralleldrive/cuid2";
import type { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import type { ListMessagesInput, ListMessagesOutput, Message, SendMessageInput, SendMessageOutput } from "@/shared";
import { LIMITS } from "@/shared";
import type { Db } from "../db";
import { badRequest, notFound, permissionDenied, preconditionFailed } from "../errors";
import { sessionBotAccess } from "./bots";
import { toMessage, type MessageRow } from "./dto";

const MESSAGE_COLUMNS = Prisma.sql`id, "sessionId", seq, "senderType", "senderId", "senderName", "botId", "messageType",
  content, "contentType", "replyToId", status, "ackStatus", "clientId", error, "createdAt"`;

const NOW = Prisma.sql`(clock_timestamp() AT TIME ZONE 'UTC')`;

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

/**
 * Stores the user's message (sent, ack pending) in one statement: the session row is locked by the
 * update that bumps messageCount and lastActiveAt, and the new count is the message's seq, so
 * concurrent sends get 1, 2, 3 … with no gap and no lost count. A repeated clientId hits the unique
 * (sessionId, clientId) index, the statement rolls back whole, and the first message is returned.
 * A replyTo outside this session breaks the (replyToId, sessionId) foreign key. A session whose
 * private bot the sender may no longer use (grant revoked) matches no row, like a closed one.
 */
export async function sendMessage(db: Db, sender: Sender, input: z.output<typeof SendMessageInput>): Promise<SendMessageOutput> {
  const id = createId();
  let rows: MessageRow[];
  try {
    rows = await db.$queryRaw<MessageRow[]>`
      WITH s AS (
        UPDATE "ChatSession" SET
          "messageCount" = "messageCount" + 1, "lastActiveAt" = ${NOW}, "updatedAt" = ${NOW},
          "lastMessageId" = ${id}, "lastMessageContent" = left(${input.content}, ${LIMITS.lastMessagePreview}),
          "lastMessageSenderType" = 'user', "lastMessageAt" = ${NOW}
        WHERE id = ${input.sessionId} AND "userId" = ${sender.id} AND status <> 'closed'
          AND ${sessionBotAccess(sender.id, Prisma.sql`"ChatSession"`)}
        RETURNING id, "messageCount", "botId", "lastActiveAt"
      )
      INSERT INTO "Message" (id, "sessionId", seq, "senderType", "senderId", "senderName", "botId", content,
        "contentType", "replyToId", status, "ackStatus", "clientId", "createdAt", "updatedAt")
      SELECT ${id}, s.id, s."messageCount", 'user', ${sender.id}, ${sender.name}, s."botId", ${input.content},
        ${input.contentType}::"ContentType", ${input.replyTo ?? null}, 'sent', 'pending', ${input.clientId ?? null},
        s."lastActiveAt", s."lastActiveAt"
      FROM s
      RETURNING ${MESSAGE_COLUMNS}`;
  } catch (error) {
    const violated = constraintViolation(error);
    if (violated === "Message_sessionId_clientId_key" && input.clientId) {
      const first = await messageByClientId(db, input.sessionId, input.clientId);
      if (first) return { message: first, sessionId: input.sessionId };
    }
    if (violated === "Message_replyToId_sessionId_fkey" && input.replyTo) throw badRequest("replyTo must name a message of this session");
    throw error;
  }
  if (rows[0]) return { message: toMessage(rows[0]), sessionId: input.sessionId };

  // Nothing stored: say why. A retry of a message stored before the session closed, or before the
  // bot was taken away, still gets it back.
  const [session] = await db.$queryRaw<{ botAccess: boolean }[]>`
    SELECT ${sessionBotAccess(sender.id, Prisma.sql`s`)} AS "botAccess"
    FROM "ChatSession" s WHERE s.id = ${input.sessionId} AND s."userId" = ${sender.id}`;
  if (!session) throw notFound("Session");
  if (input.clientId) {
    const first = await messageByClientId(db, input.sessionId, input.clientId);
    if (first) return { message: first, sessionId: input.sessionId };
  }
  if (!session.botAccess) throw permissionDenied();
  throw preconditionFailed("Session is closed");
}

async function messageByClientId(db: Db, sessionId: string, clientId: string): Promise<Message | null> {
  const [row] = await db.$queryRaw<MessageRow[]>`
    SELECT ${MESSAGE_COLUMNS} FROM "Message" WHERE "sessionId" = ${sessionId} AND "clientId" = ${clientId}`;
  return row ? toMessage(row) : null;
}

export type BotReply = {
  sessionId: string;
  bot: { id: string; displayName: string };
  content: string;
  contentType?: "markdown" | "text";
  replyTo?: string | null;
};

/**
 * Stores a bot's reply (delivered, acked) under the same seq and counter rules as a user's message,
 * and adds one to the session's unread count in the same statement.
 */
export async function storeBotReply(db: Db, reply: BotReply): Promise<Message> {
  const id = createId();
  const rows = await db.$queryRaw<MessageRow[]>`
    WITH s AS (
      UPDATE "ChatSession" SET
        "messageCount" = "messageCount" + 1, "unreadCount" = "unreadCount" + 1,
        "lastActiveAt" = ${NOW}, "updatedAt" = ${NOW},
        "lastMessageId" = ${id}, "lastMessageContent" = left(${reply.content}, ${LIMITS.lastMessagePreview}),
        "lastMessageSenderType" = 'bot', "lastMessageAt" = ${NOW}
      WHERE id = ${reply.sessionId}
      RETURNING id, "messageCount", "lastActiveAt"
    )
    INSERT INTO "Message" (id, "sessionId", seq, "senderType", "senderId", "senderName", "botId", content,
      "contentType", "replyToId", status, "ackStatus", "createdAt", "updatedAt")
    SELECT ${id}, s.id, s."messageCount", 'bot', ${reply.bot.id}, ${reply.bot.displayName}, ${reply.bot.id}, ${reply.content},
      ${reply.contentType ?? "markdown"}::"ContentType", ${reply.replyTo ?? null}, 'delivered', 'acked', s."lastActiveAt", s."lastActiveAt"
    FROM s
    RETURNING ${MESSAGE_COLUMNS}`;
  if (!rows[0]) throw notFound("Session");
  return toMessage(rows[0]);
}

type DriverAdapterFailure = { originalCode?: unknown; constraint?: { index?: unknown } };

/**
 * The name of the unique index or foreign key a failed raw statement violated, or null for any other
 * failure. Prisma 7 raises a PrismaClientKnownRequestError (P2010) whose meta.driverAdapterError.cause
 * is the pg adapter's mapped error: the SQLSTATE as originalCode (23505 unique, 23503 foreign key) and
 * the constraint's name as constraint.index.
 */
function constraintViolation(error: unknown): string | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return null;
  const cause = (error.meta?.driverAdapterError as { cause?: DriverAdapterFailure } | undefined)?.cause;
  if (cause?.originalCode !== "23505" && cause?.originalCode !== "23503") return null;
  return typeof cause.constraint?.index === "string" ? cause.constraint.index : null;
}
