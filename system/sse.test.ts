/**
 * Live streams end by design (SSE_MAX_DURATION_MS, 5 min by default) and the client comes back on
 * its own, resuming after its last event: here with streams cut every 1.5 s while messages flow, the
 * subscriber still sees every event once, in order.
 */
import { afterAll, describe, expect, it } from "vitest";
import { signUp, startInstance, until, watch, type Instance } from "./harness";

let instance: Instance | undefined;
afterAll(async () => {
  await instance?.kill();
});

describe("a stream reaching its maximum duration", () => {
  it("reconnects and resumes after its last event, none lost or repeated", async () => {
    instance = await startInstance({ name: "short-streams", env: { SSE_MAX_DURATION_MS: "1500" } });
    const api = (await signUp(instance.url, "Streamer")).api(instance.url);
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
});
