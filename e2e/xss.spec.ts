import { expect, test } from "@playwright/test";
import { signUpFresh, startChat, STORED } from "./fixtures";

const PAYLOADS = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "[x](javascript:alert(1))",
  '<a href="javascript:window.__xss=1">click</a> <svg onload="window.__xss=2"></svg>',
  "[y](  JaVaScRiPt:window.__xss=3) ![z](javascript:window.__xss=4)",
];

test("script, event-handler and javascript: payloads render inert", async ({ page }) => {
  page.on("dialog", async (dialog) => {
    await dialog.dismiss();
    throw new Error(`a dialog opened: ${dialog.message()}`);
  });
  const dialogs: string[] = [];
  page.on("dialog", (d) => dialogs.push(d.message()));

  await signUpFresh(page, "Mallory");
  await startChat(page);
  const box = page.getByRole("textbox", { name: "Message" });
  const log = page.getByRole("log", { name: "Messages" });
  const inert = async () => {
    // Raw HTML never becomes elements, and javascript: links are not links at all, in the user's
    // messages or in the bot's replies that quote them.
    // (The only images are the bot's avatar, from the app's own /avatars.)
    await expect(log.locator("script, img:not([src^='/avatars/']), svg[onload], [onerror], [onload]")).toHaveCount(0);
    await expect(log.locator("a[href^='javascript' i], a[href*='javascript:' i]")).toHaveCount(0);
  };
  for (const payload of PAYLOADS) {
    await box.fill(payload);
    await box.press("Enter");
    const mine = log.locator("[data-testid=message][data-sender=user]").last();
    await expect(mine).toHaveAttribute("data-status", STORED);
    // The demo bot quotes it back; the thread is virtualised, so each is checked while in view.
    await expect(log.getByTestId("message").last()).toHaveAttribute("data-reply-status", "done", { timeout: 30_000 });
    if (payload.startsWith("<script") || payload.startsWith("<img")) await expect(mine.getByText(payload)).toBeVisible();
    await inert();
  }
  // Clicking what was a javascript: link does nothing.
  await log.locator("[data-inert-link]").first().click();
  await expect(page).toHaveURL(/\/chat\/[^/]+$/);

  await page.reload();
  await expect(log.getByTestId("message").last()).toHaveAttribute("data-reply-status", "done");
  await inert();
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
});

test("markdown renders GFM, and links open in a new tab without opener", async ({ page }) => {
  await signUpFresh(page, "Mark");
  await startChat(page);
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill("| a | b |\n|---|---|\n| 1 | 2 |\n\n- item\n\n```js\nconst answer = 42;\n```\n\nSee [the docs](https://example.com/docs) and ~~this~~.");
  await box.press("Enter");
  // The user's own message (the bot's reply quotes it, and comes after it).
  const row = page.locator("[data-testid=message][data-sender=user]").last();
  await expect(row).toHaveAttribute("data-status", STORED);
  await expect(row.locator("table td")).toHaveText(["1", "2"]);
  await expect(row.locator("li")).toHaveText("item");
  await expect(row.locator("del")).toHaveText("this");
  const link = row.getByRole("link", { name: "the docs" });
  await expect(link).toHaveAttribute("href", "https://example.com/docs");
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(link).toHaveAttribute("rel", "noopener noreferrer");
  // Syntax highlighting arrives (lazily) as spans inside the code block.
  await expect(row.locator("pre code .hljs-keyword")).toHaveText("const");
});
