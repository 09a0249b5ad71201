/**
 * The openai agent against a fake OpenAI-compatible server (src/test/fake-openai.ts), through the
 * whole dispatch path on a real database: what is sent (model, key, system prompt, history window),
 * the streamed reply stored, and every failure ending as a failed message with a readable reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { startFakeOpenAI } from "@/test/fake-openai";
import { callerFor, createUser } from "@/test/fixtures";
import { waitForReply } from "@/test/agents";

let t: TestDatabase;
let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
const KEY_ENV = "PITCHAT_TEST_OPENAI_KEY";

async function chatWithModel(config: Record<string, unknown> = {}) {
  const agent = await t.db.agent.create({
    data: {
      name: `gpt-${Math.random().toString(36).slice(2)}`,
      kind: "openai",
      config: { baseUrl: fake.baseUrl, model: "fake-model-1", apiKeyEnv: KEY_ENV, systemPrompt: "Be brief.", historyWindow: 2, firstTokenTimeoutMs: 500, timeoutMs: 3_000, ...config },
    },
  });
  const bot = await t.db.bot.create({ data: { name: `gpt-bot-${agent.id}`, displayName: "GPT", agentId: agent.id } });
  const user = await createUser(t.db);
  const caller = callerFor(t.db, user);
  const { session } = await caller.chat.createSession({ botId: bot.id });
  const send = async (content: string) => (await caller.chat.sendMessage({ sessionId: session.id, content })).message;
  return { caller, session, send };
}

beforeAll(async () => {
  process.env[KEY_ENV] = "sk-test-secret";
  fake = await startFakeOpenAI();
  t = await createTestDatabase();
  await t.startWorkers();
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe("the openai agent", () => {
  it("streams the model's reply into the thread, sending the model, key, system prompt and history window", async () => {
    const { caller, session, send } = await chatWithModel();
    const first = await send("first question");
    await waitForReply(caller, session.id, first.id);
    const second = await send("second question");
    const { reply, source } = await waitForReply(caller, session.id, second.id);
    expect(reply).toMatchObject({ content: "Echo: second question", replyStatus: "done", senderName: "GPT", status: "delivered" });
    expect(source).toMatchObject({ status: "delivered", ackStatus: "acked" });

    const request = fake.requests.at(-1)!;
    expect(request.headers.authorization).toBe("Bearer sk-test-secret");
    expect(request.body).toMatchObject({ model: "fake-model-1", stream: true });
    // The window is 2: the first exchange, then the message itself, after the system prompt.
    expect(request.body.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "first question" },
      { role: "assistant", content: "Echo: first question" },
      { role: "user", content: "second question" },
    ]);
  });

  it.each([
    ["fail 401", "The model's endpoint refused the request (HTTP 401)."],
    ["hang", "The model did not start answering within 0.5 s."],
    ["malformed", "The model's endpoint sent a malformed reply."],
    ["dawdle", "The model's reply took longer than 3 s."],
  ])("ends %s as a failed message with a readable reason", async (content, reason) => {
    const { caller, session, send } = await chatWithModel();
    const message = await send(content);
    const { source } = await waitForReply(caller, session.id, message.id, 30_000, "failed");
    expect(source).toMatchObject({ status: "failed", ackStatus: "failed", error: reason });
    expect((await caller.chat.getSession({ sessionId: session.id })).session.replying).toBe(false);
  });

  it("keeps what streamed before the connection dropped, marked failed, and fails the message", async () => {
    const { caller, session, send } = await chatWithModel();
    const message = await send("cut");
    const { source, reply } = await waitForReply(caller, session.id, message.id, 30_000, "failed");
    expect(source).toMatchObject({ status: "failed", error: "The model's stream ended before the reply was complete." });
    expect(reply).toMatchObject({ replyStatus: "failed", content: "Half a reply" });
  });

  it("retries a server error (5xx) before failing, with the same message", async () => {
    const { caller, session, send } = await chatWithModel();
    const before = fake.requests.length;
    const message = await send("fail 503");
    const { source } = await waitForReply(caller, session.id, message.id, 30_000, "failed");
    expect(source).toMatchObject({ status: "failed", error: "The model's endpoint had an error (HTTP 503)." });
    // The first attempt and the test settings' two retries.
    expect(fake.requests.length - before).toBe(3);
    expect((await t.db.dispatch.findFirstOrThrow({ where: { messageId: message.id } })).attempts).toBe(3);
    expect((await caller.chat.listMessages({ sessionId: session.id })).messages).toHaveLength(1);
  });
});
