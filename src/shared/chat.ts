import { z } from "./zod";
import { Bot, BotSummary, Id } from "./bot";
import { AckStatus, ContentType, MessageStatus, SenderType, SessionStatus } from "./enums";
import { LIMITS } from "./limits";

export const ChatSession = z.object({
  id: z.string(),
  title: z.string(),
  status: SessionStatus,
  botId: z.string().nullable(),
  bot: BotSummary.nullable(),
  messageCount: z.number().int(),
  unreadCount: z.number().int(),
  lastActiveAt: z.date(),
  createdAt: z.date(),
  updatedAt: z.date(),
  closedAt: z.date().nullable(),
});
export type ChatSession = z.infer<typeof ChatSession>;

export const LastMessage = z.object({
  id: z.string(),
  /** The first 100 characters. */
  content: z.string(),
  senderType: SenderType,
  createdAt: z.date(),
});
export type LastMessage = z.infer<typeof LastMessage>;

export const Message = z.object({
  id: z.string(),
  sessionId: z.string(),
  /** 1, 2, 3 … per session, no gaps. */
  seq: z.number().int(),
  senderType: SenderType,
  senderId: z.string().nullable(),
  senderName: z.string(),
  botId: z.string().nullable(),
  messageType: z.literal("text"),
  content: z.string(),
  contentType: ContentType,
  replyTo: z.string().nullable(),
  status: MessageStatus,
  ackStatus: AckStatus,
  clientId: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.date(),
});
export type Message = z.infer<typeof Message>;

const SessionRef = z.strictObject({ sessionId: Id });

export const ListSessionsInput = z
  .strictObject({
    status: SessionStatus.optional(),
    botId: Id.optional(),
    limit: z.number().int().min(1).max(LIMITS.listSessions.max).default(LIMITS.listSessions.default),
    cursor: z.string().max(200).nullish(),
    /** Sent by tRPC's useInfiniteQuery; pages only go forward (older), so it is accepted and ignored. */
    direction: z.enum(["forward", "backward"]).optional(),
  })
  .optional()
  .default({ limit: LIMITS.listSessions.default });
export type ListSessionsInput = z.input<typeof ListSessionsInput>;

export const SessionListItem = ChatSession.extend({ lastMessage: LastMessage.nullable() });
export type SessionListItem = z.infer<typeof SessionListItem>;

export const ListSessionsOutput = z.object({
  sessions: z.array(SessionListItem),
  total: z.number().int(),
  nextCursor: z.string().nullable(),
});
export type ListSessionsOutput = z.infer<typeof ListSessionsOutput>;

export const CreateSessionInput = z.strictObject({
  botId: Id,
  title: z.string().trim().min(1, { message: "Title cannot be blank" }).max(LIMITS.sessionTitle).optional(),
});
export type CreateSessionInput = z.input<typeof CreateSessionInput>;

export const CreateSessionOutput = z.object({ session: ChatSession.extend({ bot: Bot }) });
export type CreateSessionOutput = z.infer<typeof CreateSessionOutput>;

export const GetSessionInput = SessionRef;
export type GetSessionInput = z.input<typeof GetSessionInput>;

export const GetSessionOutput = z.object({
  session: ChatSession.extend({
    bot: Bot.nullable(),
    /**
     * Whether the caller may still use this session's bot. False when a private bot's grant was
     * revoked: sending is then FORBIDDEN. A disabled bot still counts as usable here: sending is
     * allowed and the reply fails with a reason until the bot is back.
     */
    botAccess: z.boolean(),
  }),
});
export type GetSessionOutput = z.infer<typeof GetSessionOutput>;

export const ListMessagesInput = SessionRef.extend({
  limit: z.number().int().min(1).max(LIMITS.listMessages.max).default(LIMITS.listMessages.default),
  before: Id.optional(),
});
export type ListMessagesInput = z.input<typeof ListMessagesInput>;

export const ListMessagesOutput = z.object({
  /** Oldest first. */
  messages: z.array(Message),
  hasMore: z.boolean(),
  nextCursor: z.string().nullable(),
});
export type ListMessagesOutput = z.infer<typeof ListMessagesOutput>;

export const MessageContent = z
  .string()
  .trim()
  .min(1, { message: "Message cannot be empty" })
  .max(LIMITS.messageContent, { message: `At most ${LIMITS.messageContent} characters` });

export const SendMessageInput = SessionRef.extend({
  content: MessageContent,
  contentType: ContentType.default("markdown"),
  replyTo: Id.optional(),
  clientId: z.string().min(1).max(LIMITS.clientId).optional(),
});
export type SendMessageInput = z.input<typeof SendMessageInput>;

export const SendMessageOutput = z.object({ message: Message, sessionId: z.string() });
export type SendMessageOutput = z.infer<typeof SendMessageOutput>;

export const MarkReadInput = SessionRef;
export type MarkReadInput = z.input<typeof MarkReadInput>;
export const MarkReadOutput = z.object({ sessionId: z.string(), markedRead: z.number().int() });
export type MarkReadOutput = z.infer<typeof MarkReadOutput>;

export const CloseSessionInput = SessionRef;
export type CloseSessionInput = z.input<typeof CloseSessionInput>;
export const CloseSessionOutput = z.object({ sessionId: z.string(), status: z.literal("closed") });
export type CloseSessionOutput = z.infer<typeof CloseSessionOutput>;

export const OnEventInput = z
  .strictObject({ sessionId: Id.optional(), lastEventId: z.string().max(40).nullish() })
  .optional()
  .default({});
export type OnEventInput = z.input<typeof OnEventInput>;

export const ChatEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("message.created"), sessionId: z.string(), message: Message }),
  z.object({ type: z.literal("message.updated"), sessionId: z.string(), message: Message }),
  z.object({ type: z.literal("message.delta"), sessionId: z.string(), messageId: z.string(), delta: z.string() }),
  z.object({ type: z.literal("session.updated"), sessionId: z.string(), session: ChatSession }),
  z.object({ type: z.literal("bot.typing"), sessionId: z.string(), botId: z.string(), typing: z.boolean() }),
]);
export type ChatEvent = z.infer<typeof ChatEvent>;
