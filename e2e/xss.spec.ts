import { expect, test } from "@playwright/test";
import { sendMessage, signUpFresh, startChat } from "./fixtures";

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
  for (const [i, payload] of PAYLOADS.entries()) {
    await box.fill(payload);
    await box.press("Enter");
    await expect(page.locator("[data-testid=message][data-status=sent]")).toHaveCount(i + 1);
  }

  const log = page.getByRole("log", { name: "Messages" });
  // Raw HTML shows as text, never as elements.
  await expect(log.getByText("<script>alert(1)</script>")).toBeVisible();
  await expect(log.getByText("<img src=x onerror=alert(1)>")).toBeVisible();
  await expect(log.locator("script, img, svg[onload], [onerror], [onload]")).toHaveCount(0);
  // javascript: links are not links at all.
  await expect(log.locator("a[href^='javascript' i], a[href*='javascript:' i]")).toHaveCount(0);
  // Clicking what was a javascript: link does nothing.
  await log.locator("[data-inert-link]").first().click();
  await expect(page).toHaveURL(/\/chat\/[^/]+$/);

  await page.reload();
  await expect(log.getByText("<script>alert(1)</script>")).toBeVisible();
  await expect(log.locator("script, img, [onerror], [onload]")).toHaveCount(0);
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
});

test("markdown renders GFM, and links open in a new tab without opener", async ({ page }) => {
  await signUpFresh(page, "Mark");
  await startChat(page);
  await sendMessage(page, "| a | b |\n|---|---|\n| 1 | 2 |\n\n- item\n\n```js\nconst answer = 42;\n```\n\nSee [the docs](https://example.com/docs) and ~~this~~.");
  const row = page.getByTestId("message").last();
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
