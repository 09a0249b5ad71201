import { expect, type Page } from "@playwright/test";

/** The seeded demo users (src/server/seed.ts, README "Demo users"). */
export const DEMO_PASSWORD = "pitchat-demo";
export const ALICE = { email: "alice@example.com", name: "Alice" };
export const BOB = { email: "bob@example.com", name: "Bob" };
export const CAROL = { email: "carol@example.com", name: "Carol" };

export function uniqueEmail(prefix = "e2e") {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}@example.com`;
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/chat/);
}

export async function signUp(page: Page, user: { name: string; email: string; password: string }) {
  await page.goto("/signup");
  await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/chat/);
}

/** A freshly signed-up user (for tests that change data), left on /chat. */
export async function signUpFresh(page: Page, name = "Tess") {
  const user = { name, email: uniqueEmail(name.toLowerCase()), password: "long enough password" };
  await signUp(page, user);
  return user;
}

/** Starts a chat with a bot from the New chat dialog and waits for its thread; returns the session id. */
export async function startChat(page: Page, botName = "Demo Bot"): Promise<string> {
  const from = page.url();
  await page.getByRole("button", { name: "New chat" }).click();
  const dialog = page.getByRole("dialog", { name: "New chat" });
  await dialog.getByRole("button", { name: botName, exact: true }).click();
  // From another thread, the URL already looks like a thread's: wait for the new one.
  await expect(page).toHaveURL((url) => /^\/chat\/[^/?#]+$/.test(url.pathname) && url.href !== from);
  const sessionId = new URL(page.url()).pathname.split("/").pop()!;
  // The new thread's own composer.
  const box = page.getByTestId("thread").and(page.locator(`[data-session-id="${sessionId}"]`)).getByRole("textbox", { name: "Message" });
  await expect(box).toHaveAttribute("placeholder", `Message ${botName}`);
  await expect(box).toBeEditable();
  return sessionId;
}

/** A stored message's status: sent, then delivered once the bot's agent took it, then read. */
export const STORED = /^(sent|delivered|read)$/;

/** Types into the composer and sends with Enter; waits until the message shows as stored. */
export async function sendMessage(page: Page, text: string) {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await box.press("Enter");
  const row = page.getByTestId("message").filter({ hasText: text.split("\n")[0]! }).and(page.locator('[data-sender="user"]')).last();
  await expect(row).toHaveAttribute("data-status", STORED);
  return row;
}

/** The bot's reply to the user's message `row` (the next bot message after it). */
export function botReplies(page: Page) {
  return page.locator('[data-testid="message"][data-sender="bot"]');
}

/** The sidebar's row for a session title. */
export function sessionRow(page: Page, title: string) {
  return page.getByRole("navigation", { name: "Sessions" }).getByRole("link", { name: title, exact: true });
}
