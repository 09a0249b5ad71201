/** Helpers for tests of replies: waiting for an agent's answer, and watching what streamed. */
import type { Message } from "@/shared";
import type { LiveEvent } from "@/server/events/sink";
import type { callerFor } from "./fixtures";
import type { TestDatabase } from "./db";

type Caller = ReturnType<typeof callerFor>;
type Ending = "done" | "stopped" | "failed";

/**
 * Polls the thread until the reply to `messageId` has ended as `ending` (for "failed": until the
 * message itself failed). Returns the reply (null when there is none) and the message as it is then.
 */
export async function waitForReply(
  caller: Caller,
  sessionId: string,
  messageId: string,
  timeoutMs = 30_000,
  ending: Ending = "done",
): Promise<{ reply: Message | null; source: Message }> {
  const deadline = Date.now() + timeoutMs;
  let last: Message[] = [];
  while (Date.now() < deadline) {
    last = (await caller.chat.listMessages({ sessionId, limit: 100 })).messages;
    const source = last.find((m) => m.id === messageId);
    const replies = last.filter((m) => m.senderType === "bot" && m.replyTo === messageId);
    const reply = replies.at(-1) ?? null;
    if (source && ending === "failed" && source.status === "failed") return { reply, source };
    if (source && reply && reply.replyStatus === ending) return { reply, source };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${ending} reply to ${messageId} within ${timeoutMs} ms; thread: ${JSON.stringify(last.map((m) => [m.seq, m.senderType, m.status, m.replyStatus, m.content.slice(0, 30)]))}`);
}

/** Records the live events (deltas, typing) the bus delivers for a user. */
export function collectDeltas(t: TestDatabase, userId: string) {
  const live: LiveEvent[] = [];
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  const stop = t.services.bus.subscribe(userId, (item) => {
    if (item.kind !== "live") return;
    live.push(item.event);
    for (const w of waiters.splice(0)) (w.check() ? w.resolve : () => waiters.push(w))();
  });
  const deltas = (): Extract<LiveEvent, { type: "message.delta" }>[] => live.filter((e): e is Extract<LiveEvent, { type: "message.delta" }> => e.type === "message.delta");
  return {
    stop,
    deltas,
    count: (messageId: string) => deltas().filter((d) => d.messageId === messageId).length,
    typing: () => live.flatMap((e) => (e.type === "bot.typing" ? [e.typing] : [])),
    /**
     * The reply's text as a client rebuilds it: the words the row was created with (the part of the
     * final text before the first delta), then every delta at its offset. Throws on a gap or overlap.
     */
    text(messageId: string, final: string): string {
      const mine = deltas().filter((d) => d.messageId === messageId);
      if (mine.length === 0) return final;
      let text = final.slice(0, mine[0]!.offset);
      for (const d of mine) {
        if (d.offset !== text.length) throw new Error(`delta at ${d.offset}, text has ${text.length}`);
        text += d.delta;
      }
      return text;
    },
    waitFor(check: (deltas: Extract<LiveEvent, { type: "message.delta" }>[], live: LiveEvent[]) => boolean, timeoutMs: number): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("timed out waiting for live events")), timeoutMs);
        const waiter = { check: () => check(deltas(), live), resolve: () => (clearTimeout(timer), resolve()) };
        if (waiter.check()) waiter.resolve();
        else waiters.push(waiter);
      });
    },
  };
}
