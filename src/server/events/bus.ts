import pg from "pg";
import { Prisma } from "@/generated/prisma/client";
import { queryRows, type Db } from "../db";
import type { EventRange } from "./log";
import { loadEvents, type StoredEvent } from "./replay";
import type { EventSink, LiveEvent } from "./sink";

/** What a subscriber receives, per user, in the order the writes happened. */
export type BusItem =
  /** Stored events up to seq `upTo` (some may have been skipped: their rows are gone). */
  | { kind: "stored"; events: StoredEvent[]; upTo: number }
  | { kind: "live"; event: LiveEvent }
  /** Notifications may have been lost (the listening connection dropped): read back from the log. */
  | { kind: "resync" }
  /** This instance is shutting down: streams end so their clients reconnect elsewhere. */
  | { kind: "shutdown" };

export type BusListener = (item: BusItem) => void;

export interface EventBus extends EventSink {
  subscribe(userId: string, listener: BusListener): () => void;
  /** Subscribers in this process (for the benchmark and tests). */
  readonly subscriberCount: number;
  /** Ends every subscriber's stream (graceful shutdown). */
  endSubscriptions(): void;
  close(): Promise<void>;
}

/**
 * The fan-out both buses share: subscribers by user, and one ordered pipeline per user, so a live
 * event never overtakes the stored events written before it while their payloads are read. Payloads
 * are read once per write, however many subscribers the user has.
 */
abstract class FanOut implements EventBus {
  private subscribers = new Map<string, Set<BusListener>>();
  private pipelines = new Map<string, Promise<void>>();

  constructor(protected readonly db: Db) {}

  abstract committed(range: EventRange | null): void;
  abstract live(userId: string, event: LiveEvent): void;
  abstract close(): Promise<void>;

  subscribe(userId: string, listener: BusListener): () => void {
    let set = this.subscribers.get(userId);
    if (!set) this.subscribers.set(userId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.subscribers.get(userId) === set) this.subscribers.delete(userId);
    };
  }

  get subscriberCount(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  protected hasSubscribers(userId: string): boolean {
    return this.subscribers.has(userId);
  }

  protected deliverStored(range: EventRange) {
    if (!this.hasSubscribers(range.userId)) return;
    this.inOrder(range.userId, async () => {
      let after = range.first - 1;
      while (after < range.last) {
        const page = await loadEvents(this.db, range.userId, { after, upTo: range.last });
        const upTo = page.events.length || page.full ? page.lastSeq : range.last;
        this.emit(range.userId, { kind: "stored", events: page.events, upTo });
        after = upTo;
      }
    });
  }

  protected deliverLive(userId: string, event: LiveEvent) {
    if (!this.hasSubscribers(userId)) return;
    this.inOrder(userId, async () => this.emit(userId, { kind: "live", event }));
  }

  endSubscriptions() {
    for (const userId of this.subscribers.keys()) this.emit(userId, { kind: "shutdown" });
  }

  protected resyncAll() {
    for (const userId of this.subscribers.keys()) this.inOrder(userId, async () => this.emit(userId, { kind: "resync" }));
  }

  private emit(userId: string, item: BusItem) {
    for (const listener of this.subscribers.get(userId) ?? []) {
      try {
        listener(item);
      } catch (error) {
        console.error("event subscriber failed:", error);
      }
    }
  }

  private inOrder(userId: string, step: () => Promise<void>) {
    const previous = this.pipelines.get(userId) ?? Promise.resolve();
    const next = previous.then(step).catch((error) => {
      // A failed read loses nothing for good: subscribers read the log back.
      console.error("event delivery failed:", error);
      this.emit(userId, { kind: "resync" });
    });
    this.pipelines.set(userId, next);
    void next.then(() => {
      if (this.pipelines.get(userId) === next) this.pipelines.delete(userId);
    });
  }
}

/** One process (the embedded database): writers hand their events straight to the fan-out. */
export class LocalEventBus extends FanOut {
  committed(range: EventRange | null): void {
    if (range) this.deliverStored(range);
  }

  live(userId: string, event: LiveEvent): void {
    this.deliverLive(userId, event);
  }

  async close(): Promise<void> {}
}

const STORED_CHANNEL = "pitchat_events";
const LIVE_CHANNEL = "pitchat_live";
/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more; stay well under. */
const MAX_PAYLOAD_BYTES = 7_000;

/** Notifications one statement sends at most. */
const NOTIFY_BATCH = 500;

/**
 * Several instances on PostgreSQL: every instance LISTENs on one dedicated connection and fans out
 * in process. The writer announces what it wrote once it has committed: stored events as
 * "user:first:last", live ones whole (split so each payload stays under PostgreSQL's limit).
 *
 * Not from inside the writing transaction (migration 0005 dropped the trigger that did): PostgreSQL
 * makes every transaction that sent a NOTIFY commit behind one lock, held through its WAL flush, so
 * every send, every reply started and every reply ended committed one after another. Announced
 * after the commit instead, in this process's order, on one statement at a time that carries
 * whatever was waiting (under load, many announcements a statement). Another instance's announcement
 * may overtake one of ours: a subscriber that sees a seq past the next one it expects reads the gap
 * from the log first (subscription.ts), since every seq below a committed one has committed.
 * An announcement lost with this process (it stopped between the commit and the NOTIFY) leaves its
 * events in the log, where the next announcement for that user, or a reconnecting client, finds them.
 */
export class PostgresEventBus extends FanOut {
  private client: pg.Client | null = null;
  private closed = false;
  private retryMs = 100;
  private ready: Promise<void>;
  /** Announcements waiting for the statement in flight, in the order they were made. */
  private outbox: { channel: string; payload: string }[] = [];
  private sending: Promise<void> | null = null;

  constructor(
    db: Db,
    private readonly connectionString: string,
  ) {
    super(db);
    this.ready = this.connect();
  }

  /** Resolves once the instance is listening. */
  listening(): Promise<void> {
    return this.ready;
  }

  /** Whether the listening connection is up now (readiness). */
  get isListening(): boolean {
    return this.client !== null;
  }

  committed(range: EventRange | null): void {
    // Reaches every instance, this one included.
    if (range) this.announce(STORED_CHANNEL, `${range.userId}:${range.first}:${range.last}`);
  }

  live(userId: string, event: LiveEvent): void {
    for (const part of splitDelta(event)) this.announce(LIVE_CHANNEL, JSON.stringify({ u: userId, e: part }));
  }

  async close(): Promise<void> {
    await this.sending;
    this.closed = true;
    await this.client?.end().catch(() => {});
  }

  private announce(channel: string, payload: string) {
    this.outbox.push({ channel, payload });
    this.sending ??= this.sendOutbox();
  }

  private async sendOutbox(): Promise<void> {
    while (this.outbox.length > 0) {
      const batch = this.outbox.splice(0, NOTIFY_BATCH);
      try {
        await queryRows(this.db, Prisma.sql`
          SELECT pg_notify(channel, payload)
          FROM unnest(${batch.map((n) => n.channel)}::text[], ${batch.map((n) => n.payload)}::text[]) WITH ORDINALITY AS n(channel, payload, i)
          ORDER BY i`);
      } catch (error) {
        // Lost for now, not for good: the events are in the log (see above).
        console.error(`${batch.length} event announcement(s) not sent:`, error);
      }
    }
    this.sending = null;
  }

  private async connect(): Promise<void> {
    while (!this.closed) {
      const client = new pg.Client({ connectionString: this.connectionString, application_name: "pitchat-events" });
      try {
        await client.connect();
        client.on("notification", (message) => this.onNotification(message));
        client.on("error", (error) => {
          console.error("event listener connection lost:", error.message);
          void client.end().catch(() => {});
        });
        client.on("end", () => {
          if (this.client === client) this.client = null;
          if (!this.closed) void this.reconnect();
        });
        await client.query(`LISTEN ${STORED_CHANNEL}`);
        await client.query(`LISTEN ${LIVE_CHANNEL}`);
        this.client = client;
        this.retryMs = 100;
        return;
      } catch (error) {
        await client.end().catch(() => {});
        console.error("event listener could not connect:", (error as Error).message);
        await new Promise((resolve) => setTimeout(resolve, this.retryMs));
        this.retryMs = Math.min(this.retryMs * 2, 5_000);
      }
    }
  }

  private async reconnect() {
    await this.connect();
    // Whatever was notified while no one listened is in the log: subscribers read it back.
    if (!this.closed) this.resyncAll();
  }

  private onNotification(message: pg.Notification) {
    const payload = message.payload ?? "";
    if (message.channel === STORED_CHANNEL) {
      const [userId, first, last] = payload.split(":");
      if (userId && first && last) this.deliverStored({ userId, first: Number(first), last: Number(last) });
    } else if (message.channel === LIVE_CHANNEL) {
      try {
        const { u, e } = JSON.parse(payload) as { u: string; e: LiveEvent };
        this.deliverLive(u, e);
      } catch {
        // Not ours.
      }
    }
  }
}

/** A delta too large for one NOTIFY becomes several, each with its own offset. */
function splitDelta(event: LiveEvent): LiveEvent[] {
  if (event.type !== "message.delta" || Buffer.byteLength(event.delta) <= MAX_PAYLOAD_BYTES) return [event];
  const parts: LiveEvent[] = [];
  // Characters, not bytes: at most 4 bytes each, so this many always fit.
  const size = Math.floor(MAX_PAYLOAD_BYTES / 4);
  const chars = Array.from(event.delta);
  let offset = event.offset;
  for (let i = 0; i < chars.length; i += size) {
    const delta = chars.slice(i, i + size).join("");
    parts.push({ ...event, delta, offset });
    offset += delta.length;
  }
  return parts;
}
