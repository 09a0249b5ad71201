import type { ChatEvent, ListMessagesOutput, Message } from "@/shared";
import { existingThreadStore, registerThreadStore } from "./thread-registry";

/**
 * One session's messages in the browser: keyed, ordered by seq, with the paging state beside them.
 *
 * Every source of messages goes through `upsert`: pages from `chat.listMessages`, the result of
 * `chat.sendMessage`, and (later) `message.created` / `message.updated` events from `chat.onEvent`,
 * so they merge instead of duplicating. A message's key is its clientId when it has one, so the
 * optimistic row the composer adds and the stored message that replaces it are one row: no remount,
 * no jump. Messages not yet stored (status `sending` / `failed`) sort after every stored one.
 */
export type ThreadMessage = Message & { key: string; local: boolean };

export type ThreadSnapshot = {
  messages: ThreadMessage[];
  /** Loading the newest page for the first time. */
  phase: "idle" | "loading" | "ready" | "error";
  error: unknown;
  hasMore: boolean;
  /** The `before` of the next older page. */
  olderCursor: string | null;
  older: "idle" | "loading" | "error";
  /**
   * The thread was opened mid-history (at a search result) and newer messages exist than those
   * held: they load page by page as the reader scrolls down, and live events for them wait.
   */
  hasNewer: boolean;
  /** The `after` of the next newer page. */
  newerCursor: string | null;
  newer: "idle" | "loading" | "error";
};

/** A page of chat.listMessages: the newest (no argument), older than `before`, or newer than `after`. */
type PageFetcher = (anchor?: { before: string } | { after: string }) => Promise<ListMessagesOutput>;

const keyOf = (m: Pick<Message, "id" | "clientId">) => m.clientId ?? m.id;

export class ThreadStore {
  private byKey = new Map<string, ThreadMessage>();
  private keyById = new Map<string, string>();
  private listeners = new Set<() => void>();
  private localOrder = 0;
  private fetchPage: PageFetcher | null = null;
  private refreshing = false;
  /** Whether `byKey` changed since the snapshot's ordered list was built. */
  private changed = false;
  private snapshot: ThreadSnapshot = {
    messages: [], phase: "idle", error: null, hasMore: false, olderCursor: null, older: "idle", hasNewer: false, newerCursor: null, newer: "idle",
  };

  constructor(readonly sessionId: string) {}

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  get(id: string): ThreadMessage | undefined {
    const key = this.keyById.get(id) ?? id;
    return this.byKey.get(key);
  }

  /** Adds or replaces messages (by clientId or id), keeping the newer of two copies. */
  upsert(messages: readonly Message[]) {
    this.upsertQuiet(messages);
    this.emit({});
  }

  /** Refetches the newest page when a live event shows this copy fell behind (a missed delta). */
  attach(fetchPage: PageFetcher) {
    this.fetchPage = fetchPage;
  }

  /** Brings the newest page up to date (after a reconnect, or a gap in a reply's text). */
  refresh() {
    // Reading mid-history: the newest page is not on screen; it is fetched when the reader gets there.
    if (!this.fetchPage || this.refreshing || this.snapshot.hasNewer) return;
    this.refreshing = true;
    void this.loadNewest(this.fetchPage).finally(() => {
      this.refreshing = false;
    });
  }

  /**
   * A page of `chat.listMessages`. Older pages move the older cursor and newer pages the newer one;
   * the newest page sets the older cursor only the first time (or after a gap), and ends reading
   * mid-history; a page around a message replaces what was held (the thread opened elsewhere).
   */
  addPage(page: ListMessagesOutput, kind: "newest" | "older" | "newer" | "around") {
    if (kind === "around") {
      this.dropStored();
      this.upsertQuiet(page.messages);
      this.emit({
        phase: "ready", error: null, hasMore: page.hasMore, olderCursor: page.nextCursor, older: "idle",
        hasNewer: page.hasNewer, newerCursor: page.newerCursor, newer: "idle",
      });
      return;
    }
    if (kind === "newer") {
      this.upsertQuiet(page.messages);
      this.emit({ hasNewer: page.hasNewer, newerCursor: page.newerCursor, newer: "idle" });
      return;
    }
    const reachedNewest = { hasNewer: false, newerCursor: null, newer: "idle" } as const;
    if (kind === "newest" && this.snapshot.phase === "ready") {
      // Back on a thread seen before, or jumping to the newest from mid-history: if the newest page
      // does not reach what we hold, there is a gap; start over.
      const stored = this.snapshot.messages.filter((m) => !m.local);
      const newestHeld = stored.at(-1)?.seq ?? 0;
      const oldestFetched = page.messages[0]?.seq ?? 0;
      if (oldestFetched > newestHeld + 1) {
        this.dropStored();
        this.upsertQuiet(page.messages);
        this.emit({ hasMore: page.hasMore, olderCursor: page.nextCursor, older: "idle", ...reachedNewest });
        return;
      }
      this.upsertQuiet(page.messages);
      this.emit(reachedNewest);
      return;
    }
    this.upsertQuiet(page.messages);
    this.emit({
      phase: "ready", error: null, hasMore: page.hasMore, olderCursor: page.nextCursor, older: "idle",
      ...(kind === "newest" ? reachedNewest : {}),
    });
  }

  /** Forgets the stored messages (not the ones still being sent). */
  private dropStored() {
    for (const m of this.snapshot.messages) {
      if (m.local) continue;
      this.byKey.delete(m.key);
      this.keyById.delete(m.id);
    }
    this.changed = true;
  }

  async loadNewest(fetchPage: PageFetcher) {
    if (this.snapshot.phase !== "ready") this.emit({ phase: "loading", error: null });
    try {
      this.addPage(await fetchPage(), "newest");
    } catch (error) {
      if (this.snapshot.phase !== "ready") this.emit({ phase: "error", error });
    }
  }

  async loadOlder(fetchPage: PageFetcher) {
    const { hasMore, olderCursor, older } = this.snapshot;
    if (!hasMore || !olderCursor || older === "loading") return;
    this.emit({ older: "loading" });
    try {
      this.addPage(await fetchPage({ before: olderCursor }), "older");
    } catch {
      this.emit({ older: "error" });
    }
  }

  /** The next newer page, for a thread opened mid-history. */
  async loadNewer(fetchPage: PageFetcher) {
    const { hasNewer, newerCursor, newer } = this.snapshot;
    if (!hasNewer || !newerCursor || newer === "loading") return;
    this.emit({ newer: "loading" });
    try {
      this.addPage(await fetchPage({ after: newerCursor }), "newer");
    } catch {
      this.emit({ newer: "error" });
    }
  }

  /** The composer's optimistic message, shown at once with status `sending`. */
  addPending(input: { clientId: string; content: string; replyTo: string | null; senderName: string }) {
    const key = input.clientId;
    this.byKey.set(key, {
      id: `local:${input.clientId}`,
      key,
      local: true,
      sessionId: this.sessionId,
      seq: Number.MAX_SAFE_INTEGER - 1_000_000 + this.localOrder++,
      senderType: "user",
      senderId: null,
      senderName: input.senderName,
      botId: null,
      messageType: "text",
      content: input.content,
      contentType: "markdown",
      replyTo: input.replyTo,
      status: "sending",
      ackStatus: "pending",
      clientId: input.clientId,
      error: null,
      replyStatus: null,
      createdAt: new Date(),
      updatedAt: new Date(0),
    });
    this.changed = true;
    this.emit({});
  }

  /** A pending message whose send failed (or is being retried). */
  setPendingStatus(clientId: string, status: "sending" | "failed", error: string | null = null) {
    const message = this.byKey.get(clientId);
    if (!message || !message.local) return;
    this.byKey.set(clientId, { ...message, status, error });
    this.changed = true;
    this.emit({});
  }

  /** `chat.markRead` turned the delivered bot messages to read. */
  markBotMessagesRead() {
    let changed = false;
    for (const [key, m] of this.byKey) {
      if (m.senderType === "bot" && m.status === "delivered") {
        this.byKey.set(key, { ...m, status: "read" });
        changed = true;
        this.changed = true;
      }
    }
    if (changed) this.emit({});
  }

  /**
   * A live event from chat.onEvent. Created and updated messages are upserts (the newer copy wins,
   * so a replay or a late page never turns read back into delivered). A delta extends the text of a
   * reply being written, at its offset: what this copy holds already is skipped, and a delta past the
   * end (some text was missed, e.g. while offline) refetches instead of guessing.
   */
  applyEvent(event: ChatEvent) {
    if (event.sessionId !== this.sessionId) return;
    switch (event.type) {
      case "message.created":
      case "message.updated":
        // Reading mid-history, a message beyond those held comes with the newer pages, in its place.
        if (this.snapshot.hasNewer && !this.get(event.message.id) && !this.byKey.has(keyOf(event.message))) return;
        this.upsert([event.message]);
        return;
      case "message.delta": {
        const message = this.get(event.messageId);
        if (!message) return this.refresh();
        const held = message.content.length;
        if (event.offset > held) return this.refresh();
        if (event.offset + event.delta.length <= held) return;
        this.byKey.set(message.key, { ...message, content: message.content + event.delta.slice(held - event.offset) });
        this.changed = true;
        this.emit({});
        return;
      }
      default:
        return;
    }
  }

  private upsertQuiet(messages: readonly Message[]) {
    for (const message of messages) {
      if (message.sessionId !== this.sessionId) continue;
      const key = keyOf(message);
      const held = this.byKey.get(key);
      if (held && !held.local) {
        if (held.updatedAt.getTime() > message.updatedAt.getTime()) continue;
        // A reply still being written: deltas may have carried this copy past a page read earlier.
        if (held.replyStatus === "streaming" && message.replyStatus === "streaming" && held.content.length > message.content.length && held.content.startsWith(message.content)) {
          this.byKey.set(key, { ...message, content: held.content, key, local: false });
          this.keyById.set(message.id, key);
          this.changed = true;
          continue;
        }
      }
      this.byKey.set(key, { ...message, key, local: false });
      this.keyById.set(message.id, key);
      this.changed = true;
    }
  }

  /**
   * A new snapshot. The ordered list is rebuilt only when messages changed: a status change of the
   * paging ("loading earlier messages…") keeps the same array, so the list and its virtualiser see
   * the same rows and do no work for them.
   */
  private emit(patch: Partial<ThreadSnapshot>) {
    let messages = this.snapshot.messages;
    if (this.changed) {
      messages = [...this.byKey.values()].sort((a, b) => a.seq - b.seq);
      this.changed = false;
    }
    this.snapshot = { ...this.snapshot, ...patch, messages };
    for (const listener of this.listeners) listener();
  }
}

/** One store per session for the life of the page: coming back to a thread shows it at once. */
export function threadStore(sessionId: string): ThreadStore {
  // On the server a store lives for one render only: nothing may outlive a request there.
  if (typeof window === "undefined") return new ThreadStore(sessionId);
  return (existingThreadStore(sessionId) as ThreadStore | undefined) ?? registerThreadStore(new ThreadStore(sessionId));
}
