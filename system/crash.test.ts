/**
 * A reply survives the death of the process writing it: `kill -9` mid-reply (the demo agent's /slow),
 * and the reply still arrives, stored exactly once, in full: after a restart on the embedded
 * database, and on PostgreSQL by the other of two instances, which takes the job over when the dead
 * one's heartbeat stops.
 */
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { demoReplyText } from "@/server/agents/demo";
import { createDatabase, postgresUrl, signUp, sql, startInstance, until, type Api, type Instance } from "./harness";

const BOTS_FILE = join(import.meta.dirname, "bots.json");
const running: Instance[] = [];
afterAll(async () => {
  await Promise.all(running.map((i) => i.kill()));
});

async function start(options: Parameters<typeof startInstance>[0]) {
  const instance = await startInstance({ ...options, env: { PITCHAT_BOTS_FILE: BOTS_FILE, ...options.env } });
  running.push(instance);
  return instance;
}

/** Sends /slow and waits until the reply has its first words stored. */
async function slowReplyUnderWay(api: Api) {
  const { bots } = await api.bot.list.query({ query: "Demo Bot" });
  const { session } = await api.chat.createSession.mutate({ botId: bots[0]!.id });
  const { message } = await api.chat.sendMessage.mutate({ sessionId: session.id, content: "/slow", clientId: "slow-1" });
  await until("the reply's first words", async () => {
    const { messages } = await api.chat.listMessages.query({ sessionId: session.id });
    const reply = messages.find((m) => m.replyTo === message.id);
    return reply?.replyStatus === "streaming" && reply.content.split(" ").length > 3;
  });
  return { session, message };
}

async function expectOneFullReply(api: Api, sessionId: string, messageId: string) {
  let thread: Awaited<ReturnType<Api["chat"]["listMessages"]["query"]>>["messages"] = [];
  await until(
    "the reply to be stored in full",
    async () => {
      thread = (await api.chat.listMessages.query({ sessionId })).messages;
      return thread.some((m) => m.replyTo === messageId && m.replyStatus === "done");
    },
    60_000,
  );
  const replies = thread.filter((m) => m.senderType === "bot");
  expect(replies).toHaveLength(1);
  expect(replies[0]).toMatchObject({ replyTo: messageId, content: demoReplyText("/slow"), status: expect.stringMatching(/delivered|read/), seq: 2 });
  expect(thread.find((m) => m.id === messageId)).toMatchObject({ status: "delivered", ackStatus: "acked" });
  const { session } = await api.chat.getSession.query({ sessionId });
  expect(session).toMatchObject({ messageCount: 2, replying: false });
}

describe("a reply whose process is killed mid-way", () => {
  it("arrives once, in full, after a restart on the embedded database", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pitchat-crash-"));
    const first = await start({ name: "embedded", dataDir });
    const user = await signUp(first.url, "Crash");
    const api = user.api(first.url);
    const { session, message } = await slowReplyUnderWay(api);
    await first.kill("SIGKILL");

    const second = await start({ name: "embedded-again", dataDir, port: first.port });
    // The same browser (cookie) after the restart: the secret is kept beside the data.
    await expectOneFullReply(api, session.id, message.id);
    await second.kill("SIGTERM");
  }, 120_000);

  it.runIf(postgresUrl)("is taken over by the other instance on PostgreSQL, and stored once", async () => {
    const db = await createDatabase();
    try {
      const a = await start({ name: "a", databaseUrl: db.url });
      const b = await start({ name: "b", databaseUrl: db.url });
      const user = await signUp(a.url, "Failover");
      const api = user.api(a.url);
      const { session, message } = await slowReplyUnderWay(api);
      const [dispatch] = await sql<{ runner: string }>(db.url, `SELECT runner FROM "Dispatch" WHERE "messageId" = $1`, [message.id]);
      const holderPid = Number(dispatch!.runner.split(":")[1]);
      const holder = [a, b].find((i) => i.serverPid() === holderPid)!;
      const other = holder === a ? b : a;
      expect(holder).toBeDefined();
      await holder.kill("SIGKILL");

      // The same user, through the instance left: the reply completes there.
      await expectOneFullReply(user.api(other.url), session.id, message.id);
      const [after] = await sql<{ runner: string; attempts: number }>(db.url, `SELECT runner, attempts FROM "Dispatch" WHERE "messageId" = $1`, [message.id]);
      expect(Number(after!.runner.split(":")[1])).toBe(other.serverPid());
      expect(after!.attempts).toBe(2);
    } finally {
      await Promise.all(running.splice(0).map((i) => i.kill()));
      await db.drop();
    }
  }, 120_000);
});
