import { expect, test } from "@playwright/test";
import { sendMessage, sessionRow, signUpFresh, startChat, STORED } from "./fixtures";

test("start a chat with a demo bot, send a message, and find it again after a reload", async ({ page }) => {
  await signUpFresh(page, "Stan");
  await expect(page.getByRole("navigation", { name: "Sessions" })).toContainText("No conversations yet");

  const sessionId = await startChat(page, "Demo Bot");
  await expect(page.getByRole("heading", { name: "Chat with Demo Bot" })).toBeVisible();
  await expect(sessionRow(page, "Chat with Demo Bot")).toHaveAttribute("aria-current", "page");

  const row = await sendMessage(page, "Hello there, Demo Bot");
  await expect(row.getByTestId("message-status")).toHaveAttribute("title", /^(Sent|Delivered|Read)$/);
  await expect(page.getByRole("textbox", { name: "Message" })).toHaveValue("");
  // The sidebar shows the new last message: the user's, then the bot's answer quoting it.
  await expect(sessionRow(page, "Chat with Demo Bot")).toHaveAccessibleDescription(/You(:| said:) Hello there, Demo Bot/);

  await page.reload();
  await expect(page).toHaveURL(new RegExp(`/chat/${sessionId}$`));
  const stored = page.getByTestId("message").filter({ hasText: "Hello there, Demo Bot" });
  await expect(stored.and(page.locator('[data-sender="user"]'))).toHaveCount(1);
  // The demo bot took it: delivered.
  await expect(stored.and(page.locator('[data-sender="user"]'))).toHaveAttribute("data-status", "delivered");
});

test("Shift+Enter breaks the line; Enter sends", async ({ page }) => {
  await signUpFresh(page, "Lena");
  await startChat(page);
  const box = page.getByRole("textbox", { name: "Message" });
  await box.click();
  await page.keyboard.type("first line");
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type("second line");
  await expect(box).toHaveValue("first line\nsecond line");
  await page.keyboard.press("Enter");
  const row = page.getByTestId("message").filter({ hasText: "second line" }).and(page.locator('[data-sender="user"]'));
  await expect(row).toHaveAttribute("data-status", STORED);
  await expect(row).toContainText("first line");
});

test("a send whose answer is lost while the live stream is down shows Failed with Retry, and Retry stores it once", async ({ page }) => {
  let liveDown = true;
  let loseNext = true;
  // Installed before the page opens, so the live stream (which would tell the page the message was
  // stored) stays down: only the answer to the send could, and it is lost.
  await page.route("**/api/trpc/**", async (route) => {
    const url = route.request().url();
    if (liveDown && url.includes("chat.onEvent")) return route.abort("connectionrefused");
    if (loseNext && url.includes("chat.sendMessage")) {
      loseNext = false;
      // The server receives and stores the message; its answer never reaches the browser.
      await route.fetch();
      await route.abort("connectionreset");
      return;
    }
    await route.fallback();
  });
  await signUpFresh(page, "Remy");
  await startChat(page);
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill("/echo Will this arrive?");
  await page.getByRole("button", { name: "Send" }).click();
  const row = page.locator('[data-testid="message"][data-sender="user"]').filter({ hasText: "/echo Will this arrive?" });
  await expect(row).toHaveAttribute("data-status", "failed");
  await expect(row.getByText("Failed", { exact: true })).toBeVisible();

  // The retry carries the same clientId: the server answers with the message it stored the first time.
  await row.getByRole("button", { name: "Retry" }).click();
  await expect(row).toHaveAttribute("data-status", STORED);
  liveDown = false;
  await page.reload();
  // One message, answered once.
  await expect(page.locator('[data-testid="message"][data-sender="bot"]').filter({ hasText: "Will this arrive?" })).toHaveCount(1);
  await expect(page.locator('[data-testid="message"][data-sender="user"]').filter({ hasText: "/echo Will this arrive?" })).toHaveCount(1);
});

test("a send whose answer is lost shows as stored, once, when the live stream says it arrived", async ({ page }) => {
  await signUpFresh(page, "Rory");
  await startChat(page);
  let loseNext = true;
  await page.route("**/api/trpc/**", async (route) => {
    if (loseNext && route.request().url().includes("chat.sendMessage")) {
      loseNext = false;
      await route.fetch();
      await route.abort("connectionreset");
      return;
    }
    await route.fallback();
  });
  await page.getByRole("textbox", { name: "Message" }).fill("/echo Did it arrive?");
  await page.getByRole("button", { name: "Send" }).click();
  const mine = page.locator('[data-testid="message"][data-sender="user"]').filter({ hasText: "/echo Did it arrive?" });
  // The stored message and its reply come over the live stream: no Retry needed, nothing doubled.
  await expect(page.locator('[data-testid="message"][data-sender="bot"]').filter({ hasText: "Did it arrive?" })).toHaveCount(1);
  await expect(mine).toHaveAttribute("data-status", STORED);
  await expect(mine).toHaveCount(1);
  await page.reload();
  await expect(page.locator('[data-testid="message"][data-sender="bot"]').filter({ hasText: "Did it arrive?" })).toHaveCount(1);
  await expect(mine).toHaveCount(1);
});

test("Reply quotes the message it answers", async ({ page }) => {
  await signUpFresh(page, "Quinn");
  await startChat(page);
  const first = await sendMessage(page, "The original question");
  await first.hover();
  await first.getByRole("button", { name: /Reply/ }).click();
  await expect(page.getByTestId("composer-reply")).toContainText("The original question");
  await expect(page.getByRole("textbox", { name: "Message" })).toBeFocused();
  await page.keyboard.type("A follow-up");
  await page.keyboard.press("Enter");
  const reply = page.getByTestId("message").filter({ hasText: "A follow-up" }).and(page.locator('[data-sender="user"]'));
  await expect(reply).toHaveAttribute("data-status", STORED);
  await expect(reply.getByTestId("reply-quote")).toContainText("The original question");
  await expect(page.getByTestId("composer-reply")).toHaveCount(0);
});

test("the character limit shows as it nears, and a message over it cannot be sent", async ({ page }) => {
  await signUpFresh(page, "Cass");
  await startChat(page);
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill("x".repeat(9_000));
  await expect(page.getByText(/9,000 \/ 10,000/)).toBeVisible();
  await box.fill("x".repeat(10_001));
  await expect(page.getByText("1 characters over the limit")).toBeVisible();
  await expect(page.getByRole("button", { name: "Send" })).toBeDisabled();
});

test("a bot without an agent says so in words, and no chat is started", async ({ page }) => {
  await signUpFresh(page, "Ugo");
  await page.getByRole("button", { name: "New chat" }).click();
  const dialog = page.getByRole("dialog", { name: "New chat" });
  await expect(dialog.getByRole("button", { name: "Night Owl", exact: true })).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Retired Bot" })).toHaveCount(0);
  await expect(dialog.getByRole("button", { name: "Secret Agent" })).toHaveCount(0);
  await dialog.getByRole("button", { name: "Unbound Bot", exact: true }).click();
  await expect(dialog.getByRole("alert")).toContainText("isn’t connected to an agent");
  await expect(page).toHaveURL(/\/chat$/);
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("navigation", { name: "Sessions" })).toContainText("No conversations yet");
});

test("closing a session asks first, then disables the composer; the Closed filter shows it", async ({ page }) => {
  await signUpFresh(page, "Cleo");
  await startChat(page);
  await sendMessage(page, "Last words");

  await page.getByRole("button", { name: "Close session" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Close this session?" });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole("textbox", { name: "Message" })).toBeEnabled();

  await page.getByRole("button", { name: "Close session" }).click();
  await confirm.getByRole("button", { name: "Close session" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole("textbox", { name: "Message" })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Send" })).toBeDisabled();
  await expect(page.getByText("This session is closed.")).toBeVisible();

  const status = page.getByRole("group", { name: "Status" });
  await status.getByRole("button", { name: "Closed" }).click();
  await expect(sessionRow(page, "Chat with Demo Bot")).toBeVisible();
  await status.getByRole("button", { name: "Active" }).click();
  await expect(page.getByRole("navigation", { name: "Sessions" })).toContainText("No active conversations");
  await expect(sessionRow(page, "Chat with Demo Bot")).toHaveCount(0);

  await page.reload();
  await expect(page.getByRole("textbox", { name: "Message" })).toBeDisabled();
});
