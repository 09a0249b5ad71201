import { expect, test } from "@playwright/test";
import { botReplies, sendMessage, signUpFresh, startChat } from "./fixtures";

// The demo agent answers in the browser: its replies are deterministic (src/server/agents/demo.ts).

test("/echo: the demo bot says it back, and the message turns delivered", async ({ page }) => {
  await signUpFresh(page, "Echo");
  await startChat(page, "Demo Bot");
  const mine = await sendMessage(page, "/echo Hello, Pit Chat!");
  const reply = botReplies(page).last();
  await expect(reply).toHaveAttribute("data-reply-status", "done");
  await expect(reply).toContainText("Hello, Pit Chat!");
  await expect(reply).not.toContainText("/echo");
  await expect(mine).toHaveAttribute("data-status", "delivered");
  await expect(page.getByTestId("typing-indicator")).toHaveCount(0);
});

test("/markdown renders a table, highlighted code, a list and a safe link", async ({ page }) => {
  await signUpFresh(page, "Marko");
  await startChat(page, "Demo Bot");
  await sendMessage(page, "/markdown");
  const reply = botReplies(page).last();
  await expect(reply).toHaveAttribute("data-reply-status", "done");
  await expect(reply.getByRole("table")).toBeVisible();
  await expect(reply.getByRole("columnheader", { name: "Feature" })).toBeVisible();
  await expect(reply.locator("pre code")).toContainText("function greet");
  await expect(reply.locator("pre code .hljs-keyword").first()).toBeVisible();
  await expect(reply.getByRole("listitem").first()).toContainText("An ordered list");
  const link = reply.getByRole("link", { name: "pit.chat" });
  await expect(link).toHaveAttribute("href", "https://example.com/pit-chat");
  await expect(link).toHaveAttribute("rel", /noopener/);
});

test("/fail shows the reason with Retry; Retry hands the same message to the agent again", async ({ page }) => {
  await signUpFresh(page, "Faye");
  await startChat(page, "Demo Bot");
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill("/fail");
  await box.press("Enter");
  const mine = page.locator('[data-testid="message"][data-sender="user"]').filter({ hasText: "/fail" });
  await expect(mine).toHaveAttribute("data-status", "failed");
  await expect(mine.getByTestId("message-error")).toHaveText(/The demo agent failed on purpose/);
  await expect(page.getByTestId("typing-indicator")).toHaveCount(0);

  const retried = page.waitForRequest((request) => request.url().includes("chat.retryMessage"));
  await mine.getByRole("button", { name: "Retry" }).click();
  await retried;
  // The agent fails again, on the same message: still one row, failed again with the reason.
  await expect(mine).toHaveAttribute("data-status", "failed");
  await expect(mine).toHaveCount(1);
  await page.reload();
  await expect(page.locator('[data-testid="message"][data-sender="user"]').filter({ hasText: "/fail" })).toHaveCount(1);
  await expect(botReplies(page)).toHaveCount(0);
});
