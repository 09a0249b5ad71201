import { z } from "./zod";
import { Bot, BotSummary, Id } from "./bot";
import { AckStatus, ContentType, MessageStatus, ReplyStatus, SenderType, SessionStatus } from "./enums";
import { LIMITS } from "./limits";
import { SafeString } from "./text";

export { SEARCH_MARK } from "./search-mark";

export const ChatSession = z.object({
  id: z.string(),
  title: z.string(),
  status: SessionStatus,
  botId: z.string().nullable(),
  bot: BotSummary.nullable(),
  messageCount: z.number().int(),
  unreadCount: z.number().int(),
  /** The bot is working on a reply (queued, being written, or awaited from a webhook service). */
  replying: z.boolean(),
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
  /** A bot's reply: `streaming` while the agent writes it, then `done`, `stopped` or `failed`. */
  replyStatus: ReplyStatus.nullable(),
  createdAt: z.date(),
  /** When anything of it last changed (status, text): a client keeps the newer of two copies. */
  updatedAt: z.date(),
});
export type Message = z.infer<typeof Message>;

const SessionRef = z.strictObject({ sessionId: Id });

export const ListSessionsInput = z
  .strictObject({
    status: SessionStatus.optional(),
    botId: Id.optional(),
    limit: z.number().int().min(1).max(LIMITS.listSessions.max).default(LIMITS.listSessions.default),
    cursor: SafeString.max(200).nullish(),
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

/** A session's title: trimmed, then 1..200 characters. */
export const SessionTitle = SafeString.trim()
  .min(1, { message: "Title cannot be blank" })
  .max(LIMITS.sessionTitle, { message: `At most ${LIMITS.sessionTitle} characters` });

export const CreateSessionInput = z.strictObject({
  botId: Id,
  title: SessionTitle.optional(),
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
  /** The newest `limit` messages before this one (an older page). */
  before: Id.optional(),
  /** The oldest `limit` messages after this one (a newer page, for a thread opened mid-history). */
  after: Id.optional(),
  /** The page around this message (it and about as many older as newer ones): a search result opened. */
  around: Id.optional(),
}).superRefine((input, context) => {
  const given = (["before", "after", "around"] as const).filter((key) => input[key] !== undefined);
  for (const key of given.slice(1)) {
    context.addIssue({ code: "custom", path: [key], message: `Give at most one of before, after and around (got ${given.join(" and ")})` });
  }
});
export type ListMessagesInput = z.input<typeof ListMessagesInput>;

export const ListMessagesOutput = z.object({
  /** Oldest first. */
  messages: z.array(Message),
  /** Older messages exist. */
  hasMore: z.boolean(),
  /** The `before` of the next older page. */
  nextCursor: z.string().nullable(),
  /** Newer messages exist (false for the newest page). */
  hasNewer: z.boolean(),
  /** The `after` of the next newer page. */
  newerCursor: z.string().nullable(),
});
export type ListMessagesOutput = z.infer<typeof ListMessagesOutput>;

export const MessageContent = SafeString.trim()
  .min(1, { message: "Message cannot be empty" })
  .max(LIMITS.messageContent, { message: `At most ${LIMITS.messageContent} characters` });

export const SendMessageInput = SessionRef.extend({
  content: MessageContent,
  contentType: ContentType.default("markdown"),
  replyTo: Id.optional(),
  clientId: SafeString.min(1).max(LIMITS.clientId).optional(),
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

export const RetryMessageInput = z.strictObject({ messageId: Id });
export type RetryMessageInput = z.input<typeof RetryMessageInput>;
export const RetryMessageOutput = z.object({ message: Message });
export type RetryMessageOutput = z.infer<typeof RetryMessageOutput>;

export const RenameSessionInput = SessionRef.extend({ title: SessionTitle });
export type RenameSessionInput = z.input<typeof RenameSessionInput>;
export const RenameSessionOutput = z.object({ session: ChatSession });
export type RenameSessionOutput = z.infer<typeof RenameSessionOutput>;

export const DeleteSessionInput = SessionRef;
export type DeleteSessionInput = z.input<typeof DeleteSessionInput>;
export const DeleteSessionOutput = z.object({ sessionId: z.string(), deleted: z.literal(true) });
export type DeleteSessionOutput = z.infer<typeof DeleteSessionOutput>;

export const RegenerateInput = SessionRef;
export type RegenerateInput = z.input<typeof RegenerateInput>;
/** The user's last message, handed to the agent again: the new reply follows the old one. */
export const RegenerateOutput = z.object({ message: Message });
export type RegenerateOutput = z.infer<typeof RegenerateOutput>;

export const SearchInput = z.strictObject({
  /** Words as in a web search: `"a phrase"`, `or`, `-excluded`; matched as whole words, any case. */
  query: SafeString.trim().min(1, { message: "Type something to search for" }).max(LIMITS.searchQuery),
  limit: z.number().int().min(1).max(LIMITS.search.max).default(LIMITS.search.default),
  cursor: SafeString.max(200).nullish(),
  /** Sent by tRPC's useInfiniteQuery; pages only go forward, so it is accepted and ignored. */
  direction: z.enum(["forward", "backward"]).optional(),
});
export type SearchInput = z.input<typeof SearchInput>;

export const SearchResult = z.object({
  sessionId: z.string(),
  sessionTitle: z.string(),
  bot: BotSummary.nullable(),
  /** The message that matched; null when the session's title did. */
  messageId: z.string().nullable(),
  /** The matching text around the words found, each marked with SEARCH_MARK. */
  snippet: z.string(),
  /** Higher is better; only for ordering. */
  rank: z.number(),
  /** The message's time, or the session's creation for a title match. */
  createdAt: z.date(),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const SearchOutput = z.object({ results: z.array(SearchResult), nextCursor: z.string().nullable() });
export type SearchOutput = z.infer<typeof SearchOutput>;

export const StopReplyInput = SessionRef;
export type StopReplyInput = z.input<typeof StopReplyInput>;
export const StopReplyOutput = z.object({ sessionId: z.string(), stopped: z.boolean() });
export type StopReplyOutput = z.infer<typeof StopReplyOutput>;

/** POST /api/bot/messages: a webhook service's later reply (plain HTTP, not tRPC). */
export const BotReplyInput = z.strictObject({
  sessionId: Id,
  replyTo: Id,
  content: MessageContent,
  contentType: ContentType.optional(),
});
export type BotReplyInput = z.input<typeof BotReplyInput>;

/** An event's tracked id: the user's event seq, with a suffix for live-only events ("41.3"). */
export const EventId = SafeString.max(40).regex(/^\d{1,15}(\.\d{1,9})?$/, { message: "Not an event id" });

export const OnEventInput = z
  .strictObject({ sessionId: Id.optional(), lastEventId: EventId.nullish() })
  .optional()
  .default({});
export type OnEventInput = z.input<typeof OnEventInput>;

export const ChatEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("message.created"), sessionId: z.string(), message: Message }),
  z.object({ type: z.literal("message.updated"), sessionId: z.string(), message: Message }),
  z.object({
    type: z.literal("message.delta"),
    sessionId: z.string(),
    messageId: z.string(),
    delta: z.string(),
    /** Where the delta starts in the reply's text: a client that holds more skips what it has, one that holds less refetches. */
    offset: z.number().int().nonnegative(),
  }),
  z.object({ type: z.literal("session.updated"), sessionId: z.string(), session: ChatSession }),
  z.object({ type: z.literal("bot.typing"), sessionId: z.string(), botId: z.string(), typing: z.boolean() }),
  /** The session was deleted: leave it. */
  z.object({ type: z.literal("session.deleted"), sessionId: z.string() }),
]);
export type ChatEvent = z.infer<typeof ChatEvent>;

const isoDate = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

/**
 * A conversation exported as JSON (GET /api/sessions/{id}/export?format=json): the session and
 * every message in the API's shapes, dates written as ISO strings. Parsing a file with this schema
 * gives back exactly what chat.getSession and chat.listMessages return (dates as Date).
 */
export const ConversationExport = z.object({
  session: ChatSession.extend({
    lastActiveAt: isoDate, createdAt: isoDate, updatedAt: isoDate, closedAt: isoDate.nullable(),
  }),
  messages: z.array(Message.extend({ createdAt: isoDate, updatedAt: isoDate })),
});
export type ConversationExport = z.output<typeof ConversationExport>;
