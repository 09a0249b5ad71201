/**
 * One instance per core on one machine: `WEB_CONCURRENCY=2 npm start` on PostgreSQL forks two whole
 * instances sharing the port; both serve, and events cross between them as between machines.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDatabase, postgresUrl, signUp, startInstance, until, watch, type Instance } from "./harness";

const started: Instance[] = [];
afterAll(async () => {
  await Promise.all(started.map((i) => i.kill()));
});

describe.runIf(postgresUrl)("WEB_CONCURRENCY=2", () => {
  it("runs two instances on one port that serve together", async () => {
    const db = await createDatabase();
    try {
      const server = await startInstance({
        name: "two-per-machine",
        databaseUrl: db.url,
        env: { WEB_CONCURRENCY: "2", PITCHAT_BOTS_FILE: join(import.meta.dirname, "bots.json") },
      });
      started.push(server);
      const instances = new Set<string>();
      await until("both instances to answer", async () => {
        const res = await fetch(`${server.url}/api/health/ready`, { headers: { connection: "close" } });
        if (res.ok) instances.add(((await res.json()) as { instance: string }).instance);
        return instances.size === 2;
      }, 60_000);
      expect(server.output()).toContain("2 instances on port");

      // Through whichever instances the connections land on, the reply reaches the subscriber.
      const user = await signUp(server.url, "PerCore");
      const api = user.api(server.url);
      const { bots } = await api.bot.list.query({ query: "Demo Bot" });
      const { session } = await api.chat.createSession.mutate({ botId: bots[0]!.id });
      const watcher = watch(api, { sessionId: session.id });
      for (let i = 0; i < 4; i++) await api.chat.sendMessage.mutate({ sessionId: session.id, content: `/echo ${i}` });
      await until("four replies", () => watcher.events.filter((e) => e.event.type === "message.updated" && e.event.message.replyStatus === "done").length === 4);
      watcher.stop();
    } finally {
      await Promise.all(started.splice(0).map((i) => i.kill("SIGTERM")));
      await db.drop();
    }
  });
});
