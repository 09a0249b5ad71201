/**
 * Live streams end by design (SSE_MAX_DURATION_MS, 5 min by default) and the client comes back on
 * its own, resuming after its last event: here with streams cut every 1.5 s while messages flow, the
 * subscriber still sees every event once, in order.
 */
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSE_RETRY_MS } from "@/server/api/http";
import { signUp, startInstance, until, watch, type Instance } from "./harness";

let instance: Instance | undefined;
beforeAll(async () => {
  instance = await startInstance({ name: "short-streams", env: { SSE_MAX_DURATION_MS: "1500" } });
});
afterAll(async () => {
  await instance?.kill();
});

describe("a stream reaching its maximum duration", () => {
  it("reconnects and resumes after its last event, none lost or repeated", async () => {
    const api = (await signUp(instance!.url, "Streamer")).api(instance!.url);
    const { bots } = await api.bot.list.query({ query: "Demo Bot" });
    const { session } = await api.chat.createSession.mutate({ botId: bots[0]!.id });
    const watcher = watch(api, { sessionId: session.id, lastEventId: "0" });
    const started = Date.now();
    let sent = 0;
    while (Date.now() - started < 6_000) {
      await api.chat.sendMessage.mutate({ sessionId: session.id, content: `/echo ${sent++}` });
      await new Promise((r) => setTimeout(r, 300));
    }
    await until("every reply", () => watcher.events.filter((e) => e.event.type === "message.updated" && e.event.message.replyStatus === "done").length === sent, 30_000);
    watcher.stop();
    const ids = watcher.events.map((e) => e.id).filter((id) => !id.includes(".")).map(Number);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const created = watcher.events.flatMap((e) => (e.event.type === "message.created" && e.event.message.senderType === "user" ? [e.event.message.content] : []));
    expect(created).toEqual(Array.from({ length: sent }, (_, i) => `/echo ${i}`));
  });

  it("tells the browser to come back within half a second, not its default of about 3 s", async () => {
    const user = await signUp(instance!.url, "Returner");
    const url = `${instance!.url}/api/trpc/chat.onEvent?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`;
    const withCookie = (input: string | URL | Request, init?: RequestInit) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie: user.cookie } });

    // The stream's first field, before any event: the reconnect delay.
    const res = await withCookie(url, { headers: { accept: "text/event-stream" } });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text(); // ends after SSE_MAX_DURATION_MS
    expect(text.startsWith(`retry: ${SSE_RETRY_MS}\n\nevent: connected\n`)).toBe(true);

    // An EventSource (the `eventsource` package follows the browser's rules) whose streams end every
    // 1.5 s reconnects after that delay: the gap from each end to the next open.
    const source = new EventSource(url, { fetch: withCookie });
    const gaps: number[] = [];
    let endedAt = 0;
    source.onerror = () => void (endedAt = performance.now());
    source.onopen = () => void (endedAt && gaps.push(performance.now() - endedAt));
    await until("three reconnects", () => gaps.length >= 3, 20_000);
    source.close();
    gaps.sort((a, b) => a - b);
    expect(gaps[1]).toBeLessThan(2_000);
  });
});
