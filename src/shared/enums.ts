import { z } from "./zod";

export const SessionStatus = z.enum(["active", "paused", "closed"]);
export type SessionStatus = z.infer<typeof SessionStatus>;

export const SenderType = z.enum(["user", "bot", "system"]);
export type SenderType = z.infer<typeof SenderType>;

/** `sending` exists only in the UI, for an optimistic message the server has not stored yet. */
export const MessageStatus = z.enum(["sending", "sent", "delivered", "read", "failed"]);
export type MessageStatus = z.infer<typeof MessageStatus>;

export const AckStatus = z.enum(["pending", "acked", "failed"]);
export type AckStatus = z.infer<typeof AckStatus>;

export const ContentType = z.enum(["markdown", "text"]);
export type ContentType = z.infer<typeof ContentType>;

export const BotStatus = z.enum(["online", "offline", "disabled"]);
export type BotStatus = z.infer<typeof BotStatus>;

export const BotVisibility = z.enum(["public", "private"]);
export type BotVisibility = z.infer<typeof BotVisibility>;

/** How a bot's reply ended: `streaming` while the agent writes it; null for users' messages. */
export const ReplyStatus = z.enum(["streaming", "done", "stopped", "failed"]);
export type ReplyStatus = z.infer<typeof ReplyStatus>;
