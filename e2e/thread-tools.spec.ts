import { readFile } from "node:fs/promises";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { ConversationExport } from "../src/shared";
import { ALICE, botReplies, sendMessage, sessionRow, signIn, signUpFresh, startChat } from "./fixtures";

// What people do with their chats: rename, delete, search, export, copy, regenerate. Every control
// is found by its role and accessible name (README "Tests": names other suites rely on).

async function chatAction(page: Page, name: string) {
  await page.getByRole("button", { name: "Chat actions" }).click();
  await page.getByRole("menuitem", { name }).click();
}

/** Whether the element is (at least partly) inside the scroll box's visible area. */
async function inView(log: Locator, row: Locator): Promise<boolean> {
  const [box, rect] = [await log.boundingBox(), await row.boundingBox()];
  return !!box && !!rect && rect.y + rect.height > box.y && rect.y < box.y + box.height;
}

test("Rename chat: the header, the sidebar and another tab show the new title", async ({ page, context }) => {
  await signUpFresh(page, "Renamer");
  const sessionId = await startChat(page);
  const other = await context.newPage();
  await other.goto("/chat");
  await expect(sessionRow(other, "Chat with Demo Bot")).toBeVisible();
  await expect(other.getByTestId("connection-status")).toHaveAttribute("data-connection", "live");

  await chatAction(page, "Rename chat");
  const dialog = page.getByRole("dialog", { name: "Rename chat" });
  const title = dialog.getByRole("textbox", { name: "Title" });
  await expect(title).toHaveValue("Chat with Demo Bot");
  // A blank title is refused with the reason, and nothing changes.
  await title.fill("   ");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("Title cannot be blank");
  await title.fill("  Weekend plans ");
  await title.press("Enter");
  await expect(dialog).toHaveCount(0);

  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Weekend plans");
  await expect(sessionRow(page, "Weekend plans")).toBeVisible();
  await expect(sessionRow(other, "Weekend plans")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Weekend plans");
  expect(new URL(page.url()).pathname).toBe(`/chat/${sessionId}`);
});

test("Delete chat asks first; then the chat is gone here and in another tab that had it open", async ({ page, context }) => {
  await signUpFresh(page, "Deleter");
  const sessionId = await startChat(page);
  await sendMessage(page, "/echo soon gone");
  await expect(botReplies(page).last()).toHaveAttribute("data-reply-status", "done");
  const other = await context.newPage();
  await other.goto(`/chat/${sessionId}`);
  await expect(other.getByRole("textbox", { name: "Message" })).toBeEditable();
  await expect(other.getByTestId("connection-status")).toHaveAttribute("data-connection", "live");

  // Cancel keeps it.
  await chatAction(page, "Delete chat");
  const confirm = page.getByRole("alertdialog", { name: "Delete this chat?" });
  await expect(confirm).toContainText("2 messages");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toHaveCount(0);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Chat with Demo Bot");

  await chatAction(page, "Delete chat");
  await page.getByRole("alertdialog", { name: "Delete this chat?" }).getByRole("button", { name: "Delete chat" }).click();
  await expect(page).toHaveURL(/\/chat\?deleted=1$/);
  await expect(page.getByRole("status").filter({ hasText: "That chat was deleted." })).toBeVisible();
  await expect(sessionRow(page, "Chat with Demo Bot")).toHaveCount(0);

  // The other tab leaves the thread on its own.
  await expect(other).toHaveURL(/\/chat\?deleted=1$/);
  await expect(other.getByRole("status").filter({ hasText: "That chat was deleted." })).toBeVisible();
  await expect(sessionRow(other, "Chat with Demo Bot")).toHaveCount(0);

  await page.getByRole("button", { name: "Dismiss" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await page.goto(`/chat/${sessionId}`);
  await expect(page.getByRole("heading", { name: "Conversation not found" })).toBeVisible();
});

test("Delete chat while a reply streams: the thread is left cleanly and the bot goes on answering elsewhere", async ({ page }) => {
  await signUpFresh(page, "Midstream");
  const failures: string[] = [];
  page.on("response", (response) => {
    if (response.status() >= 500) failures.push(`${response.status()} ${response.url()}`);
  });
  await startChat(page);
  await sendMessage(page, "/slow");
  await expect(botReplies(page).last()).toHaveAttribute("data-reply-status", "streaming");
  await chatAction(page, "Delete chat");
  await page.getByRole("alertdialog", { name: "Delete this chat?" }).getByRole("button", { name: "Delete chat" }).click();
  await expect(page).toHaveURL(/\/chat\?deleted=1$/);
  await expect(page.getByRole("status").filter({ hasText: "That chat was deleted." })).toBeVisible();
  // No error view, and no failed request: the reply that was streaming just ended.
  await expect(page.getByRole("heading", { name: "Something went wrong" })).toHaveCount(0);
  expect(failures).toEqual([]);
  await startChat(page);
  await sendMessage(page, "/echo still answering");
  await expect(botReplies(page).last()).toHaveText(/still answering/);
});

test("Search chats: reached with / and Ctrl+K, highlights the words found, opens the thread at the message", async ({ page }) => {
  await signUpFresh(page, "Seeker");
  const first = await startChat(page);
  await sendMessage(page, "/echo the quick brown fox");
  await expect(botReplies(page).last()).toHaveAttribute("data-reply-status", "done");
  await sendMessage(page, "something else entirely");
  await startChat(page);
  await chatAction(page, "Rename chat");
  await page.getByRole("dialog", { name: "Rename chat" }).getByRole("textbox", { name: "Title" }).fill("Fox den");
  await page.getByRole("dialog", { name: "Rename chat" }).getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Fox den");

  const search = page.getByRole("searchbox", { name: "Search chats" });
  await page.getByRole("log", { name: "Messages" }).click();
  await page.keyboard.press("/");
  await expect(search).toBeFocused();
  await search.blur();
  await page.keyboard.press("Control+k");
  await expect(search).toBeFocused();

  await page.keyboard.type("FOX");
  const results = page.getByRole("region", { name: "Search results" }).getByRole("link");
  // The title first, then the user's message and the bot's reply.
  await expect(results).toHaveCount(3);
  await expect(results.first()).toHaveAccessibleName("Fox den");
  await expect(results.first().locator("mark")).toHaveText("Fox");
  const message = results.filter({ hasText: "the quick brown fox" }).first();
  await expect(message.locator("mark")).toHaveText("fox");
  // The sessions list is back when the search is cleared.
  await search.press("Escape");
  await expect(page.getByRole("navigation", { name: "Sessions" })).toBeVisible();
  await search.fill("fox");
  await expect(results).toHaveCount(3);

  await page.getByRole("region", { name: "Search results" }).getByRole("link", { name: "Chat with Demo Bot" }).first().click();
  await expect(page).toHaveURL(new RegExp(`/chat/${first}\\?m=`));
  const target = page.locator("[data-highlighted] [data-testid=message]");
  await expect(target).toContainText("fox");
  await expect.poll(() => inView(page.getByRole("log", { name: "Messages" }), target)).toBe(true);
  // The highlight fades.
  await expect(page.locator("[data-highlighted]")).toHaveCount(0, { timeout: 5_000 });

  // Nothing found says so.
  await search.fill("zebra");
  await expect(page.getByRole("region", { name: "Search results" }).getByRole("status")).toHaveText("No chats match “zebra”.");
});

test("a search result deep in the 2,000-message thread opens there; scrolling down loads newer pages; Jump to latest reaches the end", async ({ page }) => {
  await signIn(page, ALICE.email);
  const search = page.getByRole("searchbox", { name: "Search chats" });
  await search.fill('"Message 1001 from Alice"');
  const result = page.getByRole("region", { name: "Search results" }).getByRole("link", { name: "The long thread" });
  await expect(result).toHaveCount(1);
  await result.click();
  const log = page.getByRole("log", { name: "Messages" });
  const target = log.locator('[data-seq="1001"]');
  await expect(target).toBeVisible();
  await expect.poll(() => inView(log, target)).toBe(true);
  await expect(log.locator('[data-seq="2000"]')).toHaveCount(0);

  // Down, page by page: the row in view stays put while the next page is appended under it.
  const maxSeq = () => log.locator("[data-testid=message][data-seq]").evaluateAll((els) => Math.max(...els.map((el) => Number(el.getAttribute("data-seq")))));
  for (let round = 0; round < 3; round++) {
    const before = await maxSeq();
    await log.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect.poll(maxSeq, { message: "a newer page loads" }).toBeGreaterThan(before);
  }
  expect(await maxSeq()).toBeLessThan(2000);

  await page.getByRole("button", { name: "Jump to latest" }).click();
  const newest = log.locator('[data-seq="2000"]');
  await expect(newest).toBeVisible();
  await expect.poll(() => inView(log, newest)).toBe(true);
});

test("Export as Markdown and as JSON download the conversation; the JSON reads back as the API's messages", async ({ page }) => {
  await signUpFresh(page, "Exporter");
  const sessionId = await startChat(page);
  await sendMessage(page, "/echo exported words");
  await expect(botReplies(page).last()).toHaveAttribute("data-reply-status", "done");

  const [json] = await Promise.all([page.waitForEvent("download"), chatAction(page, "Export as JSON")]);
  expect(json.suggestedFilename()).toBe("chat-with-demo-bot.json");
  const exported = ConversationExport.parse(JSON.parse(await readFile((await json.path())!, "utf8")));
  expect(exported.session).toMatchObject({ id: sessionId, title: "Chat with Demo Bot", messageCount: 2 });
  expect(exported.messages.map((m) => [m.seq, m.senderType, m.content])).toEqual([
    [1, "user", "/echo exported words"],
    [2, "bot", "exported words"],
  ]);
  const ids = await page.getByTestId("message").evaluateAll((els) => els.map((el) => el.getAttribute("data-message-id")));
  expect(exported.messages.map((m) => m.id)).toEqual(ids);

  const [markdown] = await Promise.all([page.waitForEvent("download"), chatAction(page, "Export as Markdown")]);
  expect(markdown.suggestedFilename()).toBe("chat-with-demo-bot.md");
  const text = await readFile((await markdown.path())!, "utf8");
  expect(text).toMatch(/^# Chat with Demo Bot\n/);
  expect(text).toContain("**You** · ");
  expect(text).toContain("\n\nexported words\n");

  // Someone else's conversation is not found; signed out, nothing.
  const stranger = await page.context().browser()!.newContext();
  const strangerPage = await stranger.newPage();
  await signUpFresh(strangerPage, "Stranger");
  expect((await strangerPage.request.get(`/api/sessions/${sessionId}/export?format=json`)).status()).toBe(404);
  await stranger.close();
  expect((await page.request.get(`/api/sessions/${sessionId}/export?format=pdf`)).status()).toBe(400);
});

test("Copy message and Copy code put the text on the clipboard and say Copied", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signUpFresh(page, "Copier");
  await startChat(page);
  const mine = await sendMessage(page, "/markdown");
  const reply = botReplies(page).last();
  await expect(reply).toHaveAttribute("data-reply-status", "done");

  await mine.hover();
  await mine.getByRole("button", { name: "Copy message" }).click();
  await expect(mine.getByRole("button", { name: "Copied" })).toContainText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("/markdown");

  await reply.getByRole("button", { name: "Copy code" }).click();
  await expect(reply.getByRole("button", { name: "Copied" }).first()).toContainText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("function greet(name: string): string {");

  await reply.hover();
  await reply.getByRole("button", { name: "Copy message" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("| Feature | Status |");
});

test("Regenerate asks again: a new reply follows the old one, and only the last reply offers it", async ({ page }) => {
  await signUpFresh(page, "Again");
  await startChat(page);
  await sendMessage(page, "/echo once more");
  await expect(botReplies(page)).toHaveCount(1);
  await expect(botReplies(page).last()).toHaveAttribute("data-reply-status", "done");
  const regenerate = page.getByRole("button", { name: "Regenerate" });
  await expect(regenerate).toHaveCount(1);
  await expect(botReplies(page).last().getByRole("button", { name: "Regenerate" })).toBeVisible();

  await regenerate.click();
  await expect(botReplies(page)).toHaveCount(2);
  await expect(botReplies(page).last()).toHaveAttribute("data-reply-status", "done");
  await expect(botReplies(page)).toHaveText([/once more/, /once more/]);
  expect(await page.getByTestId("message").evaluateAll((els) => els.map((el) => Number(el.getAttribute("data-seq"))))).toEqual([1, 2, 3]);
  await expect(page.getByRole("button", { name: "Regenerate" })).toHaveCount(1);
  await expect(botReplies(page).last().getByRole("button", { name: "Regenerate" })).toBeVisible();
  // And after a reload, the same.
  await page.reload();
  await expect(botReplies(page)).toHaveCount(2);
});
