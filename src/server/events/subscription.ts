import { tracked, TRPCError, type TrackedEnvelope } from "@trpc/server";
import type { ChatEvent } from "@/shared";
import type { Db } from "../db";
import type { BusItem, EventBus } from "./bus";
import { latestSeq, loadEvents, type StoredEvent } from "./replay";

/**
 * One subscriber's stream (chat.onEvent): the user's events, or one session's, each sent with
 * tracked(id, event) so a client that reconnects with lastEventId receives every later stored event,
 * in order, none twice.
 *
 * As tRPC's SSE chat example does, it subscribes to the bus first and then reads back from the log,
 * so nothing written between the two is lost; what arrives twice is dropped by seq. Stored events are
 * sent strictly in seq order: a live batch that starts past the next expected seq first reads the
 * gap from the log (every seq below a committed one has committed: see events/log.ts). Live-only
 * events (deltas, typing) carry the last stored seq plus a counter ("41.3"): resuming from one is
 * resuming from that seq.
 */
export async function* userEvents(
  deps: { db: Db; bus: EventBus },
  userId: string,
  options: { sessionId?: string; lastEventId?: string | null; signal?: AbortSignal },
): AsyncGenerator<TrackedEnvelope<ChatEvent>> {
  const inbox = new Inbox<BusItem>();
  const unsubscribe = deps.bus.subscribe(userId, (item) => inbox.push(item));
  const { sessionId, signal } = options;
  try {
    const newest = await latestSeq(deps.db, userId);
    // A resume point from the future (another database, a forged id) would hide what comes next.
    let last = Math.min(parseEventId(options.lastEventId) ?? newest, newest);
    let live = 0;

    async function* replay(upTo?: number) {
      for (;;) {
        const page = await loadEvents(deps.db, userId, { after: last, upTo, sessionId });
        for (const stored of page.events) yield stored;
        if (page.lastSeq > last) last = page.lastSeq;
        if (!page.full) break;
      }
      if (upTo !== undefined && upTo > last) last = upTo;
    }
    const send = (stored: StoredEvent) => tracked(String(stored.seq), stored.event);

    for await (const stored of replay()) yield send(stored);
    for (;;) {
      const item = await inbox.next(signal);
      if (!item) {
        // Aborted: the client went away, or the stream reached its maximum duration. Ending with the
        // abort (not a normal return) tells tRPC to close without its "return" event, so the client
        // reconnects and resumes after its last id instead of taking the stream as finished.
        if (signal?.aborted) throw signal.reason;
        break;
      }
      if (item.kind === "live") {
        if (!sessionId || item.event.sessionId === sessionId) yield tracked(`${last}.${++live}`, item.event);
        continue;
      }
      if (item.kind === "shutdown") {
        // An error, not an end: the client's retry reconnects (to another instance) from its last id.
        throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "This server is restarting; reconnecting" });
      }
      if (item.kind === "resync") {
        for await (const stored of replay()) yield send(stored);
        continue;
      }
      const first = item.events[0]?.seq ?? item.upTo;
      if (first > last + 1) for await (const stored of replay(first - 1)) yield send(stored);
      for (const stored of item.events) {
        if (stored.seq <= last) continue;
        last = stored.seq;
        if (!sessionId || stored.event.sessionId === sessionId) yield send(stored);
      }
      if (item.upTo > last) last = item.upTo;
    }
  } finally {
    unsubscribe();
  }
}

export function parseEventId(id: string | null | undefined): number | null {
  if (!id) return null;
  const seq = Number.parseInt(id, 10);
  return Number.isSafeInteger(seq) && seq >= 0 ? seq : null;
}

/** An unbounded queue read by one consumer, which an abort wakes with nothing. */
class Inbox<T> {
  private items: T[] = [];
  private waiting: ((item: T | null) => void) | null = null;

  push(item: T) {
    if (this.waiting) {
      const wake = this.waiting;
      this.waiting = null;
      wake(item);
    } else {
      this.items.push(item);
    }
  }

  next(signal?: AbortSignal): Promise<T | null> {
    if (this.items.length) return Promise.resolve(this.items.shift()!);
    if (signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.waiting = null;
        resolve(null);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting = (item) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(item);
      };
    });
  }
}
