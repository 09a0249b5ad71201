import { expect, test, type Page } from "@playwright/test";
import { botReplies, sendMessage, sessionRow, signUpFresh, startChat } from "./fixtures";

// Live updates (chat.onEvent over SSE): replies stream in, tabs stay in step, and nothing is lost
// or doubled by a reload, a Stop or a dropped connection.

const SLOW_WORDS = 100;
/** The words of the demo agent's /slow reply shown so far (word1 word2 …). */
async function slowWords(page: Page): Promise<string[]> {
  const text = (await botReplies(page).last().innerText()).trim();
  return text.match(/word\d+/g) ?? [];
}
function expectNoRepeats(words: string[]) {
  expect(words).toEqual(words.map((_, i) => `word${i + 1}`));
}

test("a message sent in one tab appears in another tab of the same user, with the bot's reply", async ({ page, context }) => {
  await signUpFresh(page, "Tab");
  const sessionId = await startChat(page);
  const other = await context.newPage();
  await other.goto(`/chat/${sessionId}`);
  await expect(other.getByRole("textbox", { name: "Message" })).toBeEditable();
  await expect(other.getByTestId("connection-status")).toHaveAttribute("data-connection", "live");

  await sendMessage(page, "/echo seen in both tabs");
  await expect(other.locator('[data-testid="message"][data-sender="user"]').filter({ hasText: "/echo seen in both tabs" })).toHaveCount(1);
  await expect(botReplies(other).last()).toHaveText(/seen in both tabs/);
  await expect(botReplies(other)).toHaveCount(1);
});

test("a /slow reply streams in, survives a reload mid-stream with no word doubled, and ends", async ({ page }) => {
  await signUpFresh(page, "Slow");
  await startChat(page);
  await sendMessage(page, "/slow");
  await expect(page.getByTestId("typing-indicator")).toBeVisible();
  const reply = botReplies(page).last();
  await expect(reply).toHaveAttribute("data-reply-status", "streaming");
  await expect.poll(async () => (await slowWords(page)).length).toBeGreaterThan(5);
  const before = await slowWords(page);
  expect(before.length).toBeLessThan(SLOW_WORDS);
  await expect.poll(async () => (await slowWords(page)).length).toBeGreaterThan(before.length);

  await page.reload();
  // The text so far is there at once, with the Stop button, and keeps growing.
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  const afterReload = await slowWords(page);
  expect(afterReload.length).toBeGreaterThanOrEqual(before.length);
  await expect(botReplies(page).last()).toHaveAttribute("data-reply-status", /streaming|done/);
  await expect(botReplies(page).last()).toHaveAttribute("data-reply-status", "done", { timeout: 15_000 });
  const final = await slowWords(page);
  expectNoRepeats(final);
  expect(final).toHaveLength(SLOW_WORDS);
  await expect(page.getByTestId("typing-indicator")).toHaveCount(0);
});

test("Stop during /slow keeps the words so far, marks the reply stopped and ends the typing mark", async ({ page }) => {
  await signUpFresh(page, "Stopper");
  await startChat(page);
  await sendMessage(page, "/slow");
  await expect.poll(async () => (await slowWords(page)).length).toBeGreaterThan(5);
  await page.getByRole("button", { name: "Stop" }).click();
  const reply = botReplies(page).last();
  await expect(reply).toHaveAttribute("data-reply-status", "stopped");
  await expect(reply.getByTestId("reply-note")).toHaveText("Stopped");
  await expect(page.getByTestId("typing-indicator")).toHaveCount(0);
  const kept = await slowWords(page);
  expect(kept.length).toBeGreaterThan(5);
  expect(kept.length).toBeLessThan(SLOW_WORDS);
  expectNoRepeats(kept);
  // And it stays so: the same words after a reload.
  await page.reload();
  await expect(botReplies(page).last()).toHaveAttribute("data-reply-status", "stopped");
  expect(await slowWords(page)).toEqual(kept);
});

test("another tab's sidebar shows the unread badge live; it clears when that tab opens the thread", async ({ page, context }) => {
  await signUpFresh(page, "Badge");
  await startChat(page);
  const other = await context.newPage();
  await other.goto("/chat");
  const row = sessionRow(other, "Chat with Demo Bot");
  await expect(row).toBeVisible();
  await expect(other.getByTestId("connection-status")).toHaveAttribute("data-connection", "live");

  // The first tab moves on before the reply comes: nobody is looking at the thread.
  await sendMessage(page, "/slow");
  await page.goto("/chat");
  await expect(row.getByTestId("unread-badge")).toHaveText("1 unread", { timeout: 15_000 });
  await expect(row).toHaveAccessibleDescription(/word1 word2/);
  await expect(sessionRow(page, "Chat with Demo Bot").getByTestId("unread-badge")).toHaveText("1 unread");

  await row.click();
  await expect(botReplies(other).last()).toHaveAttribute("data-status", "read");
  await expect(row.getByTestId("unread-badge")).toHaveCount(0);
  // The first tab sees it read too.
  await expect(sessionRow(page, "Chat with Demo Bot").getByTestId("unread-badge")).toHaveCount(0);
});

/**
 * Records every value the connection indicator takes (data-connection), however briefly, from the
 * first page load on.
 */
async function recordConnection(page: Page) {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { connectionSeen: string[] }).connectionSeen = seen;
    new MutationObserver(() => {
      const value = document.querySelector('[data-testid="connection-status"]')?.getAttribute("data-connection");
      if (value && seen.at(-1) !== value) seen.push(value);
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-connection"] });
  });
  return () => page.evaluate(() => (window as unknown as { connectionSeen: string[] }).connectionSeen);
}

/**
 * The page's live streams, the first one answered by a stream that ends at once, as every stream
 * does when it reaches its maximum duration: what the server sends first (the reconnect delay, then
 * `connected`), then the end. The rest go to the server, except while `outage` says so, when they
 * fail as if it were unreachable.
 */
async function endFirstStream(page: Page, outage: () => boolean = () => false) {
  let requests = 0;
  await page.route("**/api/trpc/chat.onEvent**", async (route) => {
    requests++;
    if (requests === 1) {
      return route.fulfill({
        status: 200,
        headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
        body: 'retry: 500\n\nevent: connected\ndata: {"reconnectAfterInactivityMs":25000}\n\n',
      });
    }
    if (outage()) return route.abort("connectionrefused");
    return route.continue();
  });
  return () => requests;
}

test("a live stream that ends comes back within a moment, without a Reconnecting flash", async ({ page }) => {
  const seen = await recordConnection(page);
  const requests = await endFirstStream(page);
  await signUpFresh(page, "Blink");
  await startChat(page);
  await expect.poll(requests).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-connection", "live");
  // The stream that came back is the server's: a reply streams in live.
  await sendMessage(page, "/echo still live");
  await expect(botReplies(page).last()).toHaveText(/still live/);
  expect(await seen()).toContain("live");
  expect(await seen()).not.toContain("reconnecting");
  await expect(page.getByRole("status").filter({ hasText: "Reconnecting" })).toHaveCount(0);
});

test("the server unreachable for a few seconds: Reconnecting shows, then goes once the stream is back", async ({ page }) => {
  let down = true;
  const requests = await endFirstStream(page, () => down);
  await signUpFresh(page, "Outage");
  await startChat(page);
  await expect(page.getByRole("status").filter({ hasText: "Reconnecting" })).toBeVisible({ timeout: 10_000 });
  const refused = requests();
  expect(refused).toBeGreaterThanOrEqual(2);
  down = false;
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-connection", "live", { timeout: 15_000 });
  await expect(page.getByRole("status").filter({ hasText: "Reconnecting" })).toHaveCount(0);
  await sendMessage(page, "/echo back again");
  await expect(botReplies(page).last()).toHaveText(/back again/);
});

test("offline while the bot replies: Reconnecting at once, then the reply appears once when back online", async ({ page, context }) => {
  await signUpFresh(page, "Offline");
  await startChat(page);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-connection", "live");
  await sendMessage(page, "/slow");
  await expect.poll(async () => (await slowWords(page)).length).toBeGreaterThan(3);

  await context.setOffline(true);
  await expect(page.getByRole("status").filter({ hasText: "Reconnecting" })).toBeVisible();
  // The reply finishes on the server meanwhile (/slow takes about five seconds).
  await page.waitForTimeout(6_000);
  await context.setOffline(false);

  await expect(page.getByRole("status").filter({ hasText: "Reconnecting" })).toHaveCount(0, { timeout: 15_000 });
  await expect(botReplies(page).last()).toHaveAttribute("data-reply-status", "done", { timeout: 15_000 });
  await expect(botReplies(page)).toHaveCount(1);
  const words = await slowWords(page);
  expectNoRepeats(words);
  expect(words).toHaveLength(SLOW_WORDS);
  await expect(page.getByTestId("typing-indicator")).toHaveCount(0);
});
