import { expect, test } from "@playwright/test";
import { HOOK } from "../playwright.config";
import { startWebhookReceiver } from "../src/test/webhook-receiver";
import { botReplies, sendMessage, signUpFresh, startChat } from "./fixtures";

// A webhook bot end to end: the server signs each message per Standard Webhooks, the service (run
// here, verifying with the reference library) answers at once or later through POST
// /api/bot/messages with its token.

let service: Awaited<ReturnType<typeof startWebhookReceiver>>;

test.beforeAll(async () => {
  service = await startWebhookReceiver(HOOK.secret, HOOK.port);
});
test.afterAll(async () => {
  await service.close();
});

test("the webhook service's answer, from its HTTP response, shows in the thread", async ({ page }) => {
  await signUpFresh(page, "Hooked");
  await startChat(page, "Hook");
  await sendMessage(page, "hello, service");
  await expect(botReplies(page).last()).toHaveText(/Got: hello, service/);
  // The service verified the signature (it answers 401 otherwise).
  expect(service.deliveries.some((d) => d.verified && d.body.message.content === "hello, service")).toBe(true);
});

test("a later answer through POST /api/bot/messages: 201, then 200 with the same message; 401, 400 and 404 otherwise", async ({ page, request }) => {
  await signUpFresh(page, "Later");
  const sessionId = await startChat(page, "Hook");
  const mine = await sendMessage(page, "later");
  const replyTo = await mine.getAttribute("data-message-id");
  await expect(page.getByTestId("typing-indicator")).toBeVisible();

  const post = (body: unknown, token = HOOK.token) =>
    request.post("/api/bot/messages", { headers: { authorization: `Bearer ${token}` }, data: body });
  expect((await post({ sessionId, replyTo, content: "x" }, "wrong-token")).status()).toBe(401);
  expect((await request.post("/api/bot/messages", { data: { sessionId, replyTo, content: "x" } })).status()).toBe(401);
  const bad = await post({ sessionId, replyTo });
  expect(bad.status()).toBe(400);
  expect(JSON.stringify(await bad.json())).toContain("content");

  const first = await post({ sessionId, replyTo, content: "Here is my **considered** answer." });
  expect(first.status()).toBe(201);
  const { message } = await first.json();
  expect(message).toMatchObject({ sessionId, replyTo, senderType: "bot", content: "Here is my **considered** answer.", status: "delivered" });
  // It arrives live, and the typing mark ends.
  await expect(botReplies(page).last()).toHaveText(/Here is my considered answer/);
  await expect(page.getByTestId("typing-indicator")).toHaveCount(0);

  const again = await post({ sessionId, replyTo, content: "A second answer" });
  expect(again.status()).toBe(200);
  expect((await again.json()).message.id).toBe(message.id);
  await page.reload();
  await expect(botReplies(page)).toHaveCount(1);

  // A session this agent does not serve (a Demo Bot chat) is not found.
  const demoSession = await startChat(page, "Demo Bot");
  const demoMessage = await sendMessage(page, "/echo not for the hook");
  const other = await post({ sessionId: demoSession, replyTo: await demoMessage.getAttribute("data-message-id"), content: "hijack" });
  expect(other.status()).toBe(404);
});
