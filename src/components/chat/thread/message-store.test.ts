import { describe, expect, it } from "vitest";
import type { ListMessagesOutput, Message } from "@/shared";
import { ThreadStore } from "./message-store";

const message = (seq: number, extra: Partial<Message> = {}): Message => ({
  id: `m${seq}`,
  sessionId: "s1",
  seq,
  senderType: seq % 2 ? "user" : "bot",
  senderId: null,
  senderName: seq % 2 ? "Reader" : "Bot",
  botId: null,
  messageType: "text",
  content: `Message ${seq}`,
  contentType: "markdown",
  replyTo: null,
  status: seq % 2 ? "delivered" : "read",
  ackStatus: "acked",
  clientId: null,
  error: null,
  replyStatus: seq % 2 ? null : "done",
  updatedAt: new Date(Date.UTC(2026, 0, 1, 0, seq)),
  createdAt: new Date(1_700_000_000_000 + seq * 1000),
  ...extra,
});

const page = (from: number, to: number, hasMore: boolean, hasNewer = false): ListMessagesOutput => ({
  messages: Array.from({ length: to - from + 1 }, (_, i) => message(from + i)),
  hasMore,
  nextCursor: hasMore ? `m${from}` : null,
  hasNewer,
  newerCursor: hasNewer ? `m${to}` : null,
});

describe("ThreadStore", () => {
  it("prepends older pages in seq order and moves the cursor", async () => {
    const store = new ThreadStore("s1");
    store.addPage(page(51, 100, true), "newest");
    await store.loadOlder(async (anchor) => {
      expect(anchor).toEqual({ before: "m51" });
      return page(1, 50, false);
    });
    const { messages, hasMore, olderCursor, older } = store.getSnapshot();
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect([hasMore, olderCursor, older]).toEqual([false, null, "idle"]);
  });

  it("keeps the same message list when only the paging state changes", async () => {
    const store = new ThreadStore("s1");
    store.addPage(page(51, 100, true), "newest");
    const before = store.getSnapshot().messages;
    let resolve!: (page: ListMessagesOutput) => void;
    const loading = store.loadOlder(() => new Promise((r) => (resolve = r)));
    // "Loading earlier messages…": a new snapshot, the same rows (the list does no work for them).
    expect(store.getSnapshot().older).toBe("loading");
    expect(store.getSnapshot().messages).toBe(before);
    resolve(page(1, 50, false));
    await loading;
    expect(store.getSnapshot().messages).not.toBe(before);
    expect(store.getSnapshot().messages).toHaveLength(100);
  });

  it("rebuilds the list when a message changes, and the optimistic row keeps its key", () => {
    const store = new ThreadStore("s1");
    store.addPage(page(1, 2, false), "newest");
    const before = store.getSnapshot().messages;
    store.markBotMessagesRead();
    expect(store.getSnapshot().messages).toBe(before); // nothing was delivered
    store.addPending({ clientId: "c1", content: "Hello", replyTo: null, senderName: "Reader" });
    const pending = store.getSnapshot().messages;
    expect(pending).not.toBe(before);
    expect(pending.at(-1)).toMatchObject({ key: "c1", local: true, status: "sending" });
    store.upsert([message(3, { clientId: "c1", content: "Hello", status: "sent" })]);
    const stored = store.getSnapshot().messages;
    expect(stored.map((m) => m.key)).toEqual(["m1", "m2", "c1"]);
    expect(stored.at(-1)).toMatchObject({ seq: 3, local: false, status: "sent" });
  });

  it("opened mid-history: pages both ways, and live messages beyond those held wait for the newer pages", async () => {
    const store = new ThreadStore("s1");
    store.addPage(page(1, 4, false), "newest");
    // A search result opens the thread around message 40: what was held goes.
    store.addPage(page(36, 45, true, true), "around");
    expect(store.getSnapshot()).toMatchObject({ hasMore: true, olderCursor: "m36", hasNewer: true, newerCursor: "m45" });
    expect(store.getSnapshot().messages.map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 36));

    // A message stored meanwhile, far beyond: not shown in a gap; an update of a held one is.
    store.applyEvent({ type: "message.created", sessionId: "s1", message: message(101) });
    store.applyEvent({ type: "message.updated", sessionId: "s1", message: message(40, { content: "edited", updatedAt: new Date(Date.UTC(2027, 0, 1)) }) });
    // A delta for a reply not held does not pull the view to the newest page.
    let fetched = 0;
    store.attach(async () => (fetched++, page(1, 1, false)));
    store.applyEvent({ type: "message.delta", sessionId: "s1", messageId: "m102", delta: "x", offset: 0 });
    expect(fetched).toBe(0);
    expect(store.getSnapshot().messages.map((m) => m.seq)).not.toContain(101);
    expect(store.get("m40")?.content).toBe("edited");

    await store.loadNewer(async (anchor) => {
      expect(anchor).toEqual({ after: "m45" });
      return page(46, 95, true, true);
    });
    await store.loadNewer(async () => page(96, 101, true, false));
    const snapshot = store.getSnapshot();
    expect([snapshot.hasNewer, snapshot.newerCursor, snapshot.newer]).toEqual([false, null, "idle"]);
    expect(snapshot.messages.map((m) => m.seq)).toEqual(Array.from({ length: 66 }, (_, i) => i + 36));
  });

  it("jumping to the newest from mid-history starts over when the newest page does not meet what is held", async () => {
    const store = new ThreadStore("s1");
    store.addPage(page(36, 45, true, true), "around");
    store.addPending({ clientId: "c1", content: "typed while reading", replyTo: null, senderName: "Reader" });
    await store.loadNewest(async () => page(151, 200, true));
    const snapshot = store.getSnapshot();
    expect([snapshot.hasNewer, snapshot.hasMore, snapshot.olderCursor]).toEqual([false, true, "m151"]);
    // The message being sent stays, after the newest.
    expect(snapshot.messages.map((m) => m.key)).toEqual([...Array.from({ length: 50 }, (_, i) => `m${i + 151}`), "c1"]);
  });
});
