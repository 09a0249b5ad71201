/**
 * Issue 10's figure: a bot's reply finished → the event received by a subscribed client, with
 * 1,000 live streams (chat.onEvent over SSE) open on the instance, and the instance's memory with
 * them open beside without.
 *
 * The streams: 100 users (the reference data's), 10 tabs each, all on one instance. One of user
 * #1's tabs is the real tRPC client (httpSubscriptionLink with the `eventsource` package, as
 * system/harness.ts builds it); the other 999 are plain EventSources on the same URL with the same
 * cookies (one process, 1,000 connections). User #1 then sends `/echo` messages to the demo agent,
 * one session after another, and for each reply the latency is the moment its final event
 * (message.updated, replyStatus done) reaches the client, minus the reply row's updatedAt: the
 * database's clock when the final statement wrote it, on the same machine as the client, so the
 * figure covers the commit, the NOTIFY, reading the payload, the SSE write and the client's parse.
 */
import { EventSource } from "eventsource";
import { rssBytes } from "./cpu";
import { apiClient, EventClock, stats, type Stats } from "./agents";
import { signIn, trpcQueryPath } from "./http";
import { sleep } from "./procs";

export type LiveResult = {
  subscriptions: number;
  users: number;
  openSeconds: number;
  replies: number;
  latency: Stats;
  missing: number;
  /** The instance's resident memory: before the streams opened, with them open (after the replies). */
  rssBefore: number;
  rssOpen: number;
  /** Streams that were open when the replies ended (a dropped one reconnects on its own). */
  openAtEnd: number;
};

export async function measureLive(options: {
  base: string;
  serverPid: number | undefined;
  users: { email: string; password: string }[];
  tabsPerUser: number;
  sessionIds: string[];
  replies: number;
  say: (line: string) => void;
}): Promise<LiveResult> {
  const { base, say } = options;
  const cookies: string[] = [];
  for (const user of options.users) cookies.push(await signIn(base, user.email, user.password));
  // Memory once the instance has settled after the sign-ins (argon2 buffers, collected garbage).
  await sleep(2_000);
  const rssBefore = rssBytes(options.serverPid);

  const url = `${base}${trpcQueryPath("chat.onEvent", {})}`;
  const sources: EventSource[] = [];
  let open = 0;
  const started = performance.now();
  const api = apiClient(base, cookies[0]!);
  const latencies: number[] = [];
  const clock = new EventClock(api, (event, at) => {
    if (event.type === "message.updated") latencies.push(performance.timeOrigin + at - event.message.updatedAt.getTime());
  });
  try {
    const opening: Promise<void>[] = [clock.connected];
    for (const [u, cookie] of cookies.entries()) {
      for (let tab = u === 0 ? 1 : 0; tab < options.tabsPerUser; tab++) {
        const source = new EventSource(url, {
          fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie } }),
        });
        sources.push(source);
        opening.push(new Promise<void>((resolve) => {
          source.onopen = () => {
            open++;
            resolve();
          };
        }));
      }
    }
    await Promise.race([Promise.all(opening), sleep(120_000)]);
    const openSeconds = (performance.now() - started) / 1000;
    say(`  live: ${open + 1} streams open after ${openSeconds.toFixed(1)} s`);

    let missing = 0;
    for (let n = 0; n < options.replies; n++) {
      const sessionId = options.sessionIds[n % options.sessionIds.length]!;
      const { message } = await api.chat.sendMessage.mutate({ sessionId, content: `/echo live ${n} ok`, clientId: `bench-live-${process.pid}-${n}` });
      if ((await clock.doneAt(message.id)) === null) missing++;
    }
    const rssOpen = rssBytes(options.serverPid);
    return {
      subscriptions: sources.length + 1,
      users: cookies.length,
      openSeconds,
      replies: options.replies,
      latency: stats(latencies),
      missing,
      rssBefore,
      rssOpen,
      openAtEnd: sources.filter((s) => s.readyState === EventSource.OPEN).length + 1,
    };
  } finally {
    clock.close();
    for (const source of sources) source.close();
  }
}
