/**
 * The webhook agent against a small service (src/test/webhook-receiver.ts) that verifies every
 * request with the Standard Webhooks reference library, through the whole dispatch path on a real
 * database: signed deliveries, answers now or later (the later reply stored exactly once, only for
 * the agent's own sessions), retries with the same webhook-id, and readable failures.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeServiceReply } from "@/server/chat/replies";
import { waitForReply } from "@/test/agents";
import { chatDepsFor, createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, createUser, userWithSession } from "@/test/fixtures";
import { startWebhookReceiver } from "@/test/webhook-receiver";

let t: TestDatabase;
let service: Awaited<ReturnType<typeof startWebhookReceiver>>;
const SECRET_ENV = "PITCHAT_TEST_HOOK_SECRET";
const SECRET = `whsec_${Buffer.from("a test secret of thirty-two bytes").toString("base64")}`;

async function chatWithService() {
  const agent = await t.db.agent.create({
    data: {
      name: `hook-${Math.random().toString(36).slice(2)}`,
      kind: "webhook",
      config: { url: service.url, secretEnv: SECRET_ENV, timeoutMs: 500, historyWindow: 5 },
    },
  });
  const bot = await t.db.bot.create({ data: { name: `hook-bot-${agent.id}`, displayName: "Hook", agentId: agent.id } });
  const user = await createUser(t.db);
  const caller = callerFor(t.db, user);
  const { session } = await caller.chat.createSession({ botId: bot.id });
  const send = async (content: string) => (await caller.chat.sendMessage({ sessionId: session.id, content })).message;
  return { agent, bot, caller, session, send };
}

const deliveriesFor = (messageId: string) => service.deliveries.filter((d) => d.body.message.id === messageId);

beforeAll(async () => {
  process.env[SECRET_ENV] = SECRET;
  service = await startWebhookReceiver(SECRET);
  t = await createTestDatabase();
  await t.startWorkers();
});
afterAll(async () => {
  await t?.close();
  await service?.close();
});

describe("the webhook agent", () => {
  it("POSTs { session, message, history } signed per Standard Webhooks, and stores the service's answer", async () => {
    const { caller, session, send } = await chatWithService();
    const first = await send("hello");
    await waitForReply(caller, session.id, first.id);
    const second = await send("and again");
    const { reply, source } = await waitForReply(caller, session.id, second.id);
    expect(reply).toMatchObject({ content: "Got: and again", replyStatus: "done", senderName: "Hook" });
    expect(source).toMatchObject({ status: "delivered", ackStatus: "acked" });

    const [delivery] = deliveriesFor(second.id);
    expect(delivery!.verified).toBe(true);
    expect(delivery!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(delivery!.body.session).toMatchObject({ id: session.id });
    expect(delivery!.body.message).toMatchObject({ id: second.id, content: "and again", senderType: "user" });
    expect(delivery!.body.history.map((m) => m.content)).toEqual(["hello", "Got: hello"]);
    // The signature covers id, timestamp and body: a replay after five minutes is refused.
    const stale = String(Number(delivery!.headers["webhook-timestamp"]) - 600);
    const headers = { "webhook-id": String(delivery!.headers["webhook-id"]), "webhook-signature": String(delivery!.headers["webhook-signature"]) };
    expect(() => service.verifier.verify(delivery!.raw, { ...headers, "webhook-timestamp": delivery!.headers["webhook-timestamp"] as string })).not.toThrow();
    expect(() => service.verifier.verify(delivery!.raw, { ...headers, "webhook-timestamp": stale })).toThrow();
  });

  it("retries a 5xx under the same webhook-id, newly signed, then fails the message readably", async () => {
    const { caller, session, send } = await chatWithService();
    const message = await send("boom");
    const { source } = await waitForReply(caller, session.id, message.id, 30_000, "failed");
    expect(source).toMatchObject({ status: "failed", ackStatus: "failed", error: "The webhook service had an error (HTTP 500)." });
    const attempts = deliveriesFor(message.id);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers["webhook-id"])).size).toBe(1);
    expect(attempts.every((a) => a.verified)).toBe(true);
  });

  it("does not retry a refusal (4xx), and retries a service that does not answer in time", async () => {
    const refused = await chatWithService();
    const message = await refused.send("reject");
    const { source } = await waitForReply(refused.caller, refused.session.id, message.id, 30_000, "failed");
    expect(source.error).toBe("The webhook service refused the message (HTTP 400).");
    expect(deliveriesFor(message.id)).toHaveLength(1);

    const stalled = await chatWithService();
    const slow = await stalled.send("stall");
    const late = await waitForReply(stalled.caller, stalled.session.id, slow.id, 30_000, "failed");
    expect(late.source.error).toBe("The webhook service did not answer within 0.5 s.");
    expect(deliveriesFor(slow.id)).toHaveLength(3);
  });

  it("takes a later reply once: a second reply to the same message returns the first, never a second row", async () => {
    const { agent, caller, session, send } = await chatWithService();
    const message = await send("later");
    // The service took it and will answer later: the typing mark stays meanwhile.
    await expect.poll(async () => (await t.db.dispatch.findFirstOrThrow({ where: { messageId: message.id } })).status).toBe("waiting");
    expect((await caller.chat.getSession({ sessionId: session.id })).session.replying).toBe(true);

    const deps = chatDepsFor(t.db);
    const answer = { sessionId: session.id, replyTo: message.id, content: "Thought about it: yes.", contentType: "markdown" as const };
    const [first, second] = await Promise.all([storeServiceReply(deps, agent.id, answer), storeServiceReply(deps, agent.id, { ...answer, content: "again" })]);
    const created = [first, second].filter((r) => r?.created);
    expect(created).toHaveLength(1);
    expect(first!.message.id).toBe(second!.message.id);
    const { messages } = await caller.chat.listMessages({ sessionId: session.id });
    expect(messages.map((m) => [m.senderType, m.status, m.replyStatus])).toEqual([["user", "delivered", null], ["bot", "delivered", "done"]]);
    expect((await caller.chat.getSession({ sessionId: session.id })).session).toMatchObject({ replying: false, unreadCount: 1, messageCount: 2 });
  });

  it("refuses a later reply for a session the agent does not serve", async () => {
    const { agent } = await chatWithService();
    const other = await userWithSession(t.db);
    const { message } = await other.caller.chat.sendMessage({ sessionId: other.session.id, content: "not for the hook" });
    const deps = chatDepsFor(t.db);
    expect(await storeServiceReply(deps, agent.id, { sessionId: other.session.id, replyTo: message.id, content: "hijack", contentType: "text" })).toBeNull();
    expect(await t.db.message.count({ where: { sessionId: other.session.id, content: "hijack" } })).toBe(0);
  });
});
