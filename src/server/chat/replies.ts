import { createId } from "@paralleldrive/cuid2";
import { Prisma } from "@/generated/prisma/client";
import type { Message, StopReplyOutput } from "@/shared";
import { LIMITS } from "@/shared";
import { queryRows, type Db } from "../db";
import { notFound } from "../errors";
import { appendEvents, EVENT_RANGE_COLUMNS, eventRange, type EventRangeColumns } from "../events/log";
import { constraintViolation } from "./constraints";
import type { ChatDeps } from "./deps";
import { MESSAGE_COLUMN_NAMES, MESSAGE_COLUMNS, NOW, toMessage, type MessageRow } from "./dto";

/**
 * A bot's reply, from the moment an agent takes a user's message to the stored reply: the domain
 * side of the dispatcher (agents/dispatcher.ts), which knows nothing of SQL.
 *
 * Lifecycle (PRODUCT.md): the user's message is acked and turns `delivered` when a dispatch starts;
 * the reply row is inserted at the agent's first words (`streaming`, status `sent`, so markRead
 * leaves it alone), its text is saved as it grows so any instance can show it after a reload, and
 * it ends `done`, `stopped` or `failed` as status `delivered` with the session's unreadCount + 1.
 * A dispatch that ends without a reply fails the user's message with a readable reason instead.
 *
 * The reply's unique dispatchId makes it exactly-once: a retried job finds the row of the attempt
 * that died and rewrites it; a duplicate job, or a webhook reply racing a retry, breaks the unique
 * index and stores nothing.
 */

/** A dispatch as the dispatcher runs it. */
export type RunningDispatch = {
  id: string;
  sessionId: string;
  userId: string;
  messageId: string;
  attempts: number;
  stopRequested: boolean;
  session: { title: string; status: "active" | "paused" | "closed" };
  bot: { id: string; name: string; displayName: string; status: "online" | "offline" | "disabled"; agentId: string | null } | null;
  agent: { id: string; name: string; kind: "demo" | "openai" | "webhook"; config: unknown } | null;
  message: Message;
  /** The reply row an earlier attempt of this dispatch left (it died mid-reply), if any. */
  reply: { id: string; content: string } | null;
};

type StartRow = {
  id: string; sessionId: string; userId: string; messageId: string; attempts: number; stopRequested: boolean;
  sessionTitle: string; sessionStatus: RunningDispatch["session"]["status"]; botId: string | null;
  botName: string | null; botDisplayName: string | null; botStatus: NonNullable<RunningDispatch["bot"]>["status"] | null; botAgentId: string | null;
  agentName: string | null; agentKind: NonNullable<RunningDispatch["agent"]>["kind"] | null; agentConfig: unknown;
  replyId: string | null; replyContent: string | null;
} & EventRangeColumns;

/** What acking the user's message changes: startDispatch reads these from its update, the rest as stored. */
const ACKED_COLUMNS = new Set<string>(["status", "ackStatus", "updatedAt"]);

/** The user's message as startDispatch reads it: its columns prefixed, beside the dispatch's. */
const STARTED_MESSAGE = Prisma.raw(
  MESSAGE_COLUMN_NAMES.map((name) => `${ACKED_COLUMNS.has(name) ? `COALESCE(m."${name}", um."${name}")` : `um."${name}"`} AS "msg.${name}"`).join(", "),
);

/**
 * Marks the dispatch running and the user's message acked and delivered (once: a retried attempt
 * only counts itself), and reads what the agent needs: its bot and agent, the message as the acking
 * left it, and the reply row of an attempt that died, all in one statement. Null when there is
 * nothing to run: the dispatch finished already, or its session is gone. With `when` (a condition
 * in SQL), nothing is started unless it holds, and the answer is "not yet".
 */
export async function startDispatch(deps: ChatDeps, dispatchId: string, runner: string, when?: Prisma.Sql): Promise<RunningDispatch | null | "not yet"> {
  const [row] = await queryRows<StartRow & { ready: boolean }>(deps.db, Prisma.sql`
    WITH ready AS (SELECT ${when ?? Prisma.sql`true`} AS ok),
    locked AS (
      SELECT id, "userId", status, "botId", title FROM "ChatSession"
      WHERE id = (SELECT "sessionId" FROM "Dispatch" WHERE id = ${dispatchId}) AND (SELECT ok FROM ready)
      FOR UPDATE
    ),
    d AS (
      UPDATE "Dispatch" SET status = 'running', attempts = attempts + 1, "startedAt" = COALESCE("startedAt", ${NOW}), runner = ${runner},
        "agentId" = (SELECT "agentId" FROM "Bot" WHERE id = (SELECT "botId" FROM locked))
      WHERE id = ${dispatchId} AND status IN ('queued', 'running') AND "sessionId" = (SELECT id FROM locked)
      RETURNING id, "sessionId", "userId", "messageId", attempts, "stopRequested"
    ),
    m AS (
      UPDATE "Message" SET "ackStatus" = 'acked',
        status = CASE WHEN status = 'sent' THEN 'delivered'::"MessageStatus" ELSE status END, "updatedAt" = ${NOW}
      WHERE id = (SELECT "messageId" FROM d) AND "ackStatus" = 'pending'
      RETURNING id, status, "ackStatus", "updatedAt"
    ),
    ${appendEvents(Prisma.sql`SELECT "userId" FROM locked`, [
      { type: "message.updated", sessionId: Prisma.sql`SELECT id FROM locked`, messageId: Prisma.sql`SELECT id FROM m` },
    ])}
    SELECT (SELECT ok FROM ready) AS ready, d.*, locked.title AS "sessionTitle", locked.status AS "sessionStatus", locked."botId",
      b.name AS "botName", b."displayName" AS "botDisplayName", b.status AS "botStatus", b."agentId" AS "botAgentId",
      a.name AS "agentName", a.kind AS "agentKind", a.config AS "agentConfig",
      r.id AS "replyId", r.content AS "replyContent", ${EVENT_RANGE_COLUMNS}, ${STARTED_MESSAGE}
    FROM (SELECT 1) one
      LEFT JOIN d ON true
      LEFT JOIN locked ON true
      LEFT JOIN "Bot" b ON b.id = locked."botId"
      LEFT JOIN "Agent" a ON a.id = b."agentId"
      LEFT JOIN "Message" r ON r."dispatchId" = d.id
      -- Read as the statement began (its own updates are not visible to it): m carries what acking changed.
      LEFT JOIN "Message" um ON um.id = d."messageId"
      LEFT JOIN m ON true`);
  if (!row?.ready) return "not yet";
  if (!row.id) return null;
  deps.events.committed(eventRange(row));
  const message = Object.fromEntries(
    Object.entries(row).flatMap(([key, value]) => (key.startsWith("msg.") ? [[key.slice(4), value]] : [])),
  ) as unknown as MessageRow;
  return {
    id: row.id,
    sessionId: row.sessionId,
    userId: row.userId,
    messageId: row.messageId,
    attempts: Number(row.attempts),
    stopRequested: row.stopRequested,
    session: { title: row.sessionTitle, status: row.sessionStatus },
    bot: row.botId && row.botName !== null
      ? { id: row.botId, name: row.botName, displayName: row.botDisplayName!, status: row.botStatus!, agentId: row.botAgentId }
      : null,
    agent: row.botAgentId && row.agentName !== null
      ? { id: row.botAgentId, name: row.agentName, kind: row.agentKind!, config: row.agentConfig }
      : null,
    message: toMessage(message),
    reply: row.replyId ? { id: row.replyId, content: row.replyContent ?? "" } : null,
  };
}

/** The reason an attempt failed, kept for operators and for the final failure if retries run out. */
export async function recordAttemptError(db: Db, dispatchId: string, error: string): Promise<void> {
  await queryRows(db, Prisma.sql`UPDATE "Dispatch" SET error = ${error} WHERE id = ${dispatchId}`);
}

/** The conversation before the user's message, oldest first: what an agent sees as context. */
export async function historyBefore(db: Db, sessionId: string, seq: number, limit: number): Promise<Message[]> {
  if (limit <= 0) return [];
  const rows = await queryRows<MessageRow>(db, Prisma.sql`
    SELECT ${MESSAGE_COLUMNS} FROM "Message"
    WHERE "sessionId" = ${sessionId} AND seq < ${seq} AND content <> ''
    ORDER BY seq DESC LIMIT ${limit}`);
  return rows.reverse().map(toMessage);
}

/**
 * The reply row, at the agent's first words: a new message after the newest (seq = the new
 * messageCount), or, when an earlier attempt of this dispatch died mid-reply, that attempt's row
 * with its text started over. Null when the dispatch is no longer running (stopped, finished).
 */
export async function openReply(deps: ChatDeps, d: RunningDispatch, text: string, contentType: "markdown" | "text"): Promise<Message | null> {
  const id = createId();
  const bot = d.bot!;
  const [row] = await queryRows<(MessageRow & EventRangeColumns & { created: boolean })>(deps.db, Prisma.sql`
    WITH existing AS (SELECT id FROM "Message" WHERE "dispatchId" = ${d.id}),
    running AS (SELECT id FROM "Dispatch" WHERE id = ${d.id} AND status = 'running'),
    s AS (
      UPDATE "ChatSession" SET
        "messageCount" = "messageCount" + CASE WHEN EXISTS (SELECT 1 FROM existing) THEN 0 ELSE 1 END,
        "lastActiveAt" = ${NOW}, "updatedAt" = ${NOW},
        "lastMessageId" = COALESCE((SELECT id FROM existing), ${id}),
        "lastMessageContent" = left(${text}, ${LIMITS.lastMessagePreview}), "lastMessageSenderType" = 'bot', "lastMessageAt" = ${NOW}
      WHERE id = ${d.sessionId} AND EXISTS (SELECT 1 FROM running)
      RETURNING id, "userId", "messageCount", "lastActiveAt"
    ),
    inserted AS (
      INSERT INTO "Message" (id, "sessionId", "userId", seq, "senderType", "senderId", "senderName", "botId", content, "contentType",
        "replyToId", status, "ackStatus", "replyStatus", "dispatchId", "createdAt", "updatedAt")
      SELECT ${id}, s.id, s."userId", s."messageCount", 'bot', ${bot.id}, ${bot.displayName}, ${bot.id}, ${text}, ${contentType}::"ContentType",
        ${d.messageId}, 'sent', 'acked', 'streaming', ${d.id}, s."lastActiveAt", s."lastActiveAt"
      FROM s WHERE NOT EXISTS (SELECT 1 FROM existing)
      RETURNING ${MESSAGE_COLUMNS}
    ),
    restarted AS (
      UPDATE "Message" SET content = ${text}, "contentType" = ${contentType}::"ContentType", "replyStatus" = 'streaming',
        status = 'sent', error = NULL, "updatedAt" = ${NOW}
      WHERE id = (SELECT id FROM existing) AND EXISTS (SELECT 1 FROM s)
      RETURNING ${MESSAGE_COLUMNS}
    ),
    r AS (SELECT *, true AS created FROM inserted UNION ALL SELECT *, false FROM restarted),
    ${appendEvents(Prisma.sql`SELECT "userId" FROM s`, [
      { type: "message.created", sessionId: Prisma.sql`SELECT id FROM s`, messageId: Prisma.sql`SELECT id FROM inserted` },
      { type: "message.updated", sessionId: Prisma.sql`SELECT id FROM s`, messageId: Prisma.sql`SELECT id FROM restarted` },
      { type: "session.updated", sessionId: Prisma.sql`SELECT id FROM s` },
    ])}
    SELECT r.*, ${EVENT_RANGE_COLUMNS} FROM r`);
  if (!row) return null;
  deps.events.committed(eventRange(row));
  return toMessage(row);
}

/**
 * Saves the reply's text so far, so that a page opened on any instance shows it. Returns whether
 * the user asked to stop (a Stop on another instance reaches the running agent this way).
 */
export async function saveReplyText(db: Db, dispatchId: string, replyId: string, content: string): Promise<{ stopRequested: boolean }> {
  const [row] = await queryRows<{ stopRequested: boolean }>(db, Prisma.sql`
    WITH r AS (
      UPDATE "Message" SET content = ${content}, "updatedAt" = ${NOW}
      WHERE id = ${replyId} AND "replyStatus" = 'streaming'
    )
    SELECT "stopRequested" FROM "Dispatch" WHERE id = ${dispatchId}`);
  return { stopRequested: row?.stopRequested ?? true };
}

/** Whether the user asked to stop this dispatch (for an agent that has not written anything yet). */
export async function stopRequested(db: Db, dispatchId: string): Promise<boolean> {
  const [row] = await queryRows<{ stopRequested: boolean }>(db, Prisma.sql`SELECT "stopRequested" FROM "Dispatch" WHERE id = ${dispatchId}`);
  return row?.stopRequested ?? true;
}

export type DispatchOutcome =
  | { status: "done"; reply: { id: string; content: string } }
  | { status: "stopped"; reply: { id: string; content: string } | null }
  | { status: "failed"; reply: { id: string; content: string } | null; error: string }
  | { status: "waiting" };

type EndRow = { ended: boolean } & EventRangeColumns;

/**
 * Ends a dispatch, once: the reply (if the agent wrote any) gets its final text and how it ended,
 * status delivered and the session's unread count + 1; a failure also fails the user's message with
 * the reason (shown with Retry). `waiting` parks it until the webhook service answers.
 * False when the dispatch had ended already.
 */
export async function endDispatch(deps: ChatDeps, d: Pick<RunningDispatch, "id" | "sessionId" | "messageId">, outcome: DispatchOutcome): Promise<boolean> {
  const reply = outcome.status === "waiting" ? null : outcome.reply;
  const error = outcome.status === "failed" ? outcome.error : null;
  // A failed dispatch fails the user's message too, even when part of a reply was written: that
  // message is where the reason and Retry show.
  const failsMessage = outcome.status === "failed";
  const finished = outcome.status !== "waiting";
  const [row] = await queryRows<EndRow>(deps.db, Prisma.sql`
    WITH locked AS (SELECT id, "userId" FROM "ChatSession" WHERE id = ${d.sessionId} FOR UPDATE),
    d AS (
      UPDATE "Dispatch" SET status = ${outcome.status}::"DispatchStatus", error = ${error},
        "finishedAt" = ${finished ? NOW : Prisma.sql`NULL`}
      WHERE id = ${d.id} AND status IN ('queued', 'running', 'waiting') AND "sessionId" = (SELECT id FROM locked)
      RETURNING id
    ),
    r AS (
      UPDATE "Message" SET content = ${reply?.content ?? ""}, "replyStatus" = ${outcome.status === "waiting" ? "done" : outcome.status}::"ReplyStatus",
        status = 'delivered', error = ${error}, "updatedAt" = ${NOW}
      WHERE id = ${reply?.id ?? null} AND "dispatchId" = ${d.id} AND EXISTS (SELECT 1 FROM d)
      RETURNING id, content
    ),
    m AS (
      UPDATE "Message" SET "ackStatus" = 'failed', status = 'failed', error = ${error}, "updatedAt" = ${NOW}
      WHERE id = ${d.messageId} AND ${failsMessage} AND EXISTS (SELECT 1 FROM d)
      RETURNING id
    ),
    s AS (
      UPDATE "ChatSession" SET
        "pendingReplies" = GREATEST("pendingReplies" - ${finished ? 1 : 0}, 0),
        "unreadCount" = "unreadCount" + (SELECT count(*)::int FROM r),
        "lastMessageContent" = CASE WHEN "lastMessageId" = (SELECT id FROM r)
          THEN left((SELECT content FROM r), ${LIMITS.lastMessagePreview}) ELSE "lastMessageContent" END,
        "updatedAt" = ${NOW}
      WHERE id = (SELECT id FROM locked) AND EXISTS (SELECT 1 FROM d)
      RETURNING id, "userId"
    ),
    ${appendEvents(Prisma.sql`SELECT "userId" FROM s`, [
      { type: "message.updated", sessionId: Prisma.sql`SELECT id FROM s`, messageId: Prisma.sql`SELECT id FROM r` },
      { type: "message.updated", sessionId: Prisma.sql`SELECT id FROM s`, messageId: Prisma.sql`SELECT id FROM m` },
      { type: "session.updated", sessionId: Prisma.sql`SELECT id FROM s` },
    ])}
    SELECT EXISTS (SELECT 1 FROM d) AS ended, ${EVENT_RANGE_COLUMNS}`);
  deps.events.committed(eventRange(row));
  return row?.ended ?? false;
}

/** chat.stopReply: asks the session's replies in progress to stop, keeping the text so far. */
export async function stopReply(deps: ChatDeps, userId: string, sessionId: string): Promise<StopReplyOutput> {
  const { found, stopped } = await requestStop(deps.db, userId, sessionId);
  if (!found) throw notFound("Session");
  for (const id of stopped) deps.queue.abort(id);
  return { sessionId, stopped: stopped.length > 0 };
}

/**
 * Asks every unfinished reply of the session to stop: the agent running it (on any instance) sees it
 * within a moment and keeps the text so far; a dispatch not started yet ends without running.
 */
export async function requestStop(db: Db, userId: string, sessionId: string): Promise<{ found: boolean; stopped: string[] }> {
  const rows = await queryRows<{ owned: boolean; id: string | null }>(db, Prisma.sql`
    WITH owned AS (SELECT id FROM "ChatSession" WHERE id = ${sessionId} AND "userId" = ${userId}),
    d AS (
      UPDATE "Dispatch" SET "stopRequested" = true
      WHERE "sessionId" = (SELECT id FROM owned) AND status IN ('queued', 'running', 'waiting') AND NOT "stopRequested"
      RETURNING id
    )
    SELECT EXISTS (SELECT 1 FROM owned) AS owned, d.id FROM (SELECT 1) one LEFT JOIN d ON true`);
  return { found: rows[0]?.owned ?? false, stopped: rows.flatMap((r) => (r.id ? [r.id] : [])) };
}

export type ServiceReply = { sessionId: string; replyTo: string; content: string; contentType: "markdown" | "text" };

/**
 * A webhook service's later reply (POST /api/bot/messages): stored as the reply of the replied-to
 * message's latest dispatch by this agent, exactly once. `created: false` is the reply stored earlier
 * for the same message (answered 200); null when the session is not one this agent serves.
 */
export async function storeServiceReply(
  deps: ChatDeps,
  agentId: string,
  input: ServiceReply,
): Promise<{ message: Message; created: boolean } | null> {
  const [target] = await queryRows<{ id: string }>(deps.db, Prisma.sql`
    SELECT d.id FROM "Dispatch" d
    WHERE d."messageId" = ${input.replyTo} AND d."sessionId" = ${input.sessionId} AND d."agentId" = ${agentId}
    ORDER BY d."createdAt" DESC, d.id DESC LIMIT 1`);
  return target ? storeWholeReply(deps, target.id, input) : null;
}

/**
 * A whole reply to a dispatch, stored at once (a webhook service's answer): the bot's message, the
 * session's counters and preview, the user's message delivered, the dispatch done. Once: a second
 * call, or one racing it, gets the reply stored first. Null when the dispatch was stopped.
 */
export async function storeWholeReply(
  deps: ChatDeps,
  dispatchId: string,
  input: Pick<ServiceReply, "content" | "contentType">,
): Promise<{ message: Message; created: boolean } | null> {
  const [target] = await queryRows<{ sessionId: string; messageId: string; status: string; botId: string; botName: string; replyId: string | null }>(deps.db, Prisma.sql`
    SELECT d."sessionId", d."messageId", d.status, b.id AS "botId", b."displayName" AS "botName",
      (SELECT r.id FROM "Message" r WHERE r."dispatchId" = d.id) AS "replyId"
    FROM "Dispatch" d
    JOIN "ChatSession" s ON s.id = d."sessionId"
    JOIN "Bot" b ON b.id = s."botId"
    WHERE d.id = ${dispatchId}`);
  if (!target) return null;
  if (target.replyId) return { message: await messageById(deps.db, target.replyId), created: false };

  const d = { id: dispatchId, sessionId: target.sessionId, messageId: target.messageId };
  // The dispatch waits for this reply (or is still running, when the service answers before its
  // HTTP response returned): store the reply whole and end the dispatch.
  const id = createId();
  let rows: (MessageRow & EventRangeColumns)[];
  try {
    rows = await queryRows<(MessageRow & EventRangeColumns)>(deps.db, Prisma.sql`
    WITH s AS (
      UPDATE "ChatSession" SET
        "messageCount" = "messageCount" + 1, "unreadCount" = "unreadCount" + 1,
        "pendingReplies" = GREATEST("pendingReplies" - CASE WHEN ${target.status} = 'failed' THEN 0 ELSE 1 END, 0),
        "lastActiveAt" = ${NOW}, "updatedAt" = ${NOW},
        "lastMessageId" = ${id}, "lastMessageContent" = left(${input.content}, ${LIMITS.lastMessagePreview}),
        "lastMessageSenderType" = 'bot', "lastMessageAt" = ${NOW}
      WHERE id = ${d.sessionId}
        -- A reply that arrives after the deadline failed the message still counts; a stopped one does not.
        AND EXISTS (SELECT 1 FROM "Dispatch" WHERE id = ${d.id} AND status IN ('queued', 'running', 'waiting', 'failed'))
      RETURNING id, "userId", "messageCount", "lastActiveAt"
    ),
    dispatch AS (
      UPDATE "Dispatch" SET status = 'done', error = NULL, "finishedAt" = ${NOW} WHERE id = ${d.id} AND EXISTS (SELECT 1 FROM s)
    ),
    user_message AS (
      UPDATE "Message" SET "ackStatus" = 'acked', status = 'delivered', error = NULL, "updatedAt" = ${NOW}
      WHERE id = ${d.messageId} AND (status <> 'delivered' OR "ackStatus" <> 'acked') AND EXISTS (SELECT 1 FROM s)
      RETURNING id
    ),
    r AS (
      INSERT INTO "Message" (id, "sessionId", "userId", seq, "senderType", "senderId", "senderName", "botId", content, "contentType",
        "replyToId", status, "ackStatus", "replyStatus", "dispatchId", "createdAt", "updatedAt")
      SELECT ${id}, s.id, s."userId", s."messageCount", 'bot', ${target.botId}, ${target.botName}, ${target.botId}, ${input.content},
        ${input.contentType}::"ContentType", ${d.messageId}, 'delivered', 'acked', 'done', ${d.id}, s."lastActiveAt", s."lastActiveAt"
      FROM s
      RETURNING ${MESSAGE_COLUMNS}
    ),
    ${appendEvents(Prisma.sql`SELECT "userId" FROM s`, [
      { type: "message.updated", sessionId: Prisma.sql`SELECT id FROM s`, messageId: Prisma.sql`SELECT id FROM user_message` },
      { type: "message.created", sessionId: Prisma.sql`SELECT id FROM s`, messageId: Prisma.sql`SELECT id FROM r` },
      { type: "session.updated", sessionId: Prisma.sql`SELECT id FROM s` },
    ])}
    SELECT r.*, ${EVENT_RANGE_COLUMNS} FROM r`);
  } catch (error) {
    // Two replies to one message at once: the unique dispatchId let one in; the other gets it.
    if (constraintViolation(error) !== "Message_dispatchId_key") throw error;
    rows = [];
  }
  const row = rows[0];
  if (!row) {
    // Ended another way meanwhile (stopped, or a reply of the same dispatch won a race).
    const [again] = await queryRows<{ id: string }>(deps.db, Prisma.sql`SELECT id FROM "Message" WHERE "dispatchId" = ${d.id}`);
    return again ? { message: await messageById(deps.db, again.id), created: false } : null;
  }
  deps.events.committed(eventRange(row));
  return { message: toMessage(row), created: true };
}

async function messageById(db: Db, id: string): Promise<Message> {
  const [row] = await queryRows<MessageRow>(db, Prisma.sql`SELECT ${MESSAGE_COLUMNS} FROM "Message" WHERE id = ${id}`);
  return toMessage(row!);
}
