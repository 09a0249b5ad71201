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

const page = (from: number, to: number, hasMore: boolean): ListMessagesOutput => ({
  messages: Array.from({ length: to - from + 1 }, (_, i) => message(from + i)),
  hasMore,
  nextCursor: hasMore ? `m${from}` : null,
});

describe("ThreadStore", () => {
  it("prepends older pages in seq order and moves the cursor", async () => {
    const store = new ThreadStore("s1");
    store.addPage(page(51, 100, true), "newest");
    await store.loadOlder(async (before) => {
      expect(before).toBe("m51");
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
});
