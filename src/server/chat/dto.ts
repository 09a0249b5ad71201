/**
 * Rows to the API's shapes (src/shared). Raw SQL selects alias their columns to the Prisma field
 * names, so Prisma results and raw rows go through the same functions.
 */
import { Prisma } from "@/generated/prisma/client";
import type { Bot, BotSummary, ChatSession, LastMessage, Message } from "@/shared";
import { LIMITS } from "@/shared";

/** The columns of a MessageRow, in the order they are selected. */
export const MESSAGE_COLUMN_NAMES = [
  "id", "sessionId", "seq", "senderType", "senderId", "senderName", "botId", "messageType", "content", "contentType",
  "replyToId", "status", "ackStatus", "clientId", "error", "replyStatus", "createdAt", "updatedAt",
] as const;

/** The columns of a MessageRow, unqualified (`FROM "Message"` or a CTE's RETURNING). */
export const MESSAGE_COLUMNS = Prisma.raw(MESSAGE_COLUMN_NAMES.map((name) => `"${name}"`).join(", "));

/** The columns of a SessionRow, qualified by the alias `s`. */
export const SESSION_COLUMNS = Prisma.sql`s.id, s.title, s.status, s."botId", s."messageCount", s."unreadCount",
  s."pendingReplies", s."lastActiveAt", s."createdAt", s."updatedAt", s."closedAt", s."lastMessageId",
  s."lastMessageContent", s."lastMessageSenderType", s."lastMessageAt"`;

/** The database's clock, the one clock every row's times come from (instances' clocks may differ). */
export const NOW = Prisma.sql`(clock_timestamp() AT TIME ZONE 'UTC')`;

export type BotRow = {
  id: string; name: string; displayName: string; avatar: string | null; status: Bot["status"];
  description: string | null; visibility: Bot["visibility"]; createdAt: Date;
};

export type SessionRow = {
  id: string; title: string; status: ChatSession["status"]; botId: string | null;
  messageCount: number; unreadCount: number; pendingReplies: number; lastActiveAt: Date; createdAt: Date; updatedAt: Date;
  closedAt: Date | null; lastMessageId: string | null; lastMessageContent: string | null;
  lastMessageSenderType: LastMessage["senderType"] | null; lastMessageAt: Date | null;
};

export type MessageRow = {
  id: string; sessionId: string; seq: number; senderType: Message["senderType"]; senderId: string | null;
  senderName: string; botId: string | null; messageType: string; content: string;
  contentType: Message["contentType"]; replyToId: string | null; status: Exclude<Message["status"], "sending">;
  ackStatus: Message["ackStatus"]; clientId: string | null; error: string | null;
  replyStatus: Message["replyStatus"]; createdAt: Date; updatedAt: Date;
};

export function toBotSummary(bot: Pick<BotRow, "id" | "name" | "displayName" | "avatar" | "status">): BotSummary {
  return { id: bot.id, name: bot.name, displayName: bot.displayName, avatar: bot.avatar, status: bot.status };
}

export function toBot(bot: BotRow): Bot {
  return { ...toBotSummary(bot), description: bot.description, visibility: bot.visibility, createdAt: bot.createdAt };
}

export function toSession(row: SessionRow, bot: BotSummary | null): ChatSession {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    botId: row.botId,
    bot,
    messageCount: Number(row.messageCount),
    unreadCount: Number(row.unreadCount),
    replying: Number(row.pendingReplies) > 0,
    lastActiveAt: row.lastActiveAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    closedAt: row.closedAt,
  };
}

export function toLastMessage(row: SessionRow): LastMessage | null {
  if (!row.lastMessageId || row.lastMessageSenderType === null || !row.lastMessageAt) return null;
  return {
    id: row.lastMessageId,
    content: (row.lastMessageContent ?? "").slice(0, LIMITS.lastMessagePreview),
    senderType: row.lastMessageSenderType,
    createdAt: row.lastMessageAt,
  };
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    sessionId: row.sessionId,
    seq: Number(row.seq),
    senderType: row.senderType,
    senderId: row.senderId,
    senderName: row.senderName,
    botId: row.botId,
    messageType: "text",
    content: row.content,
    contentType: row.contentType,
    replyTo: row.replyToId,
    status: row.status,
    ackStatus: row.ackStatus,
    clientId: row.clientId,
    error: row.error,
    replyStatus: row.replyStatus,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
