/**
 * Issue 9's figures, as a user sees them over HTTP: a message sent with chat.sendMessage, then, on
 * the live stream (chat.onEvent over SSE, the real tRPC client as system/harness.ts builds it),
 * the event that shows it acked (an agent has taken it) and the one that shows the demo agent's
 * reply stored whole (replyStatus done). One instance, the demo agent, `/echo` messages (a reply of
 * a few words, 30 ms apart by default). Several sessions at once, each sending its next message
 * once the previous one is answered, so no reply waits behind another in its session's queue.
 *
 * Times are the client's: from issuing the send to receiving its response ("send", the moment
 * the client knows the message is stored), to the acked event, and to the reply's done event; and
 * "stored → acked", from the send's response to the acked event (BUDGETS.md's figure; negative
 * when the acked event came first).
 */
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/root";
import type { ChatEvent } from "@/shared";
import { percentile } from "./measure";

export type Stats = { n: number; p50: number; p99: number; max: number };

export const stats = (values: number[]): Stats => {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
};

export type AgentsResult = {
  messages: number;
  sessions: number;
  wordDelayMs: number;
  send: Stats;
  acked: Stats;
  storedAcked: Stats;
  reply: Stats;
  /** Messages whose ack or reply never came within the time limit. */
  missing: number;
};

export function apiClient(base: string, cookie: string) {
  const withCookie = (input: string | URL | Request, init?: RequestInit) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie } });
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url: `${base}/api/trpc`, transformer: superjson, EventSource, eventSourceOptions: () => ({ fetch: withCookie }) }),
        false: httpLink({ url: `${base}/api/trpc`, transformer: superjson, headers: { cookie } }),
      }),
    ],
  });
}

type Waiter = { resolve: (at: number) => void };

/** Events of one user's stream, by what they show: a message acked, a reply done (by the message it answers). */
export class EventClock {
  private acked = new Map<string, Waiter | number>();
  private done = new Map<string, Waiter | number>();
  private unsubscribe: () => void = () => {};
  connected: Promise<void>;

  constructor(api: ReturnType<typeof apiClient>, onDone?: (event: ChatEvent, at: number) => void) {
    let opened: () => void;
    this.connected = new Promise((resolve) => (opened = resolve));
    const sub = api.chat.onEvent.subscribe(
      {},
      {
        onStarted: () => opened(),
        onData: ({ data }) => {
          const at = performance.now();
          if (data.type !== "message.updated" && data.type !== "message.created") return;
          const m = data.message;
          if (m.senderType === "user" && m.ackStatus === "acked") this.mark(this.acked, m.id, at);
          if (m.senderType === "bot" && m.replyStatus === "done" && m.replyTo) {
            this.mark(this.done, m.replyTo, at);
            onDone?.(data, at);
          }
        },
        onError: (error) => console.warn(`    event stream: ${error.message}`),
      },
    );
    this.unsubscribe = () => sub.unsubscribe();
  }

  private mark(map: Map<string, Waiter | number>, id: string, at: number) {
    const entry = map.get(id);
    if (typeof entry === "number") return;
    map.set(id, at);
    entry?.resolve(at);
  }

  private wait(map: Map<string, Waiter | number>, id: string, timeoutMs: number): Promise<number | null> {
    const entry = map.get(id);
    if (typeof entry === "number") return Promise.resolve(entry);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      map.set(id, { resolve: (at) => (clearTimeout(timer), resolve(at)) });
    });
  }

  ackedAt(id: string, timeoutMs = 30_000) {
    return this.wait(this.acked, id, timeoutMs);
  }

  doneAt(id: string, timeoutMs = 60_000) {
    return this.wait(this.done, id, timeoutMs);
  }

  close() {
    this.unsubscribe();
  }
}

export async function measureAgents(options: {
  base: string;
  cookie: string;
  sessionIds: string[];
  messages: number;
  wordDelayMs: number;
  tag: string;
}): Promise<AgentsResult> {
  const api = apiClient(options.base, options.cookie);
  const clock = new EventClock(api);
  await clock.connected;
  const send: number[] = [];
  const acked: number[] = [];
  const storedAcked: number[] = [];
  const reply: number[] = [];
  let missing = 0;
  let next = 0;
  // Warm-up: one message per session, not counted (the first reply of a session loads its agent).
  const one = async (sessionId: string, counted: boolean) => {
    const n = next++;
    const t0 = performance.now();
    const { message } = await api.chat.sendMessage.mutate({ sessionId, content: `/echo bench ${n} ok`, clientId: `bench-agents-${options.tag}-${n}` });
    const t1 = performance.now();
    const [a, d] = await Promise.all([clock.ackedAt(message.id), clock.doneAt(message.id)]);
    if (!counted) return;
    send.push(t1 - t0);
    if (a === null || d === null) missing++;
    if (a !== null) acked.push(a - t0);
    if (a !== null) storedAcked.push(a - t1);
    if (process.env.BENCH_TRACE && a !== null && a - t0 > 500) console.log(`slow ack: ${sessionId} n=${n} send ${(t1 - t0).toFixed(0)} ms, acked ${(a - t0).toFixed(0)} ms, done ${d === null ? "-" : (d - t0).toFixed(0)} ms`);
    if (d !== null) reply.push(d - t0);
  };
  try {
    await Promise.all(options.sessionIds.map((id) => one(id, false)));
    const perSession = Math.ceil(options.messages / options.sessionIds.length);
    await Promise.all(
      options.sessionIds.map(async (id) => {
        for (let i = 0; i < perSession; i++) await one(id, true);
      }),
    );
  } finally {
    clock.close();
  }
  return { messages: send.length, sessions: options.sessionIds.length, wordDelayMs: options.wordDelayMs, send: stats(send), acked: stats(acked), storedAcked: stats(storedAcked), reply: stats(reply), missing };
}
