import type { ChatEvent } from "@/shared";
import type { EventRange } from "./log";

/** Events that are never stored: the streaming text of a reply and the typing mark. */
export type LiveEvent = Extract<ChatEvent, { type: "message.delta" | "bot.typing" }>;

/**
 * Where the domain reports events after its transaction committed. The bus behind it delivers them
 * to subscribers: in this process (the embedded database), or on every instance (PostgreSQL's
 * LISTEN/NOTIFY, which the database itself triggers for stored events).
 */
export interface EventSink {
  /** A committed statement wrote these stored events. */
  committed(range: EventRange | null): void;
  /** A live-only event for this user's subscribers. */
  live(userId: string, event: LiveEvent): void;
}

/** For callers with nobody listening (seed, scripts). */
export const discardEvents: EventSink = { committed() {}, live() {} };
