import { mkdirSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { ALICE, sessionRow, signIn } from "./fixtures";

/**
 * The README's pictures: SCREENSHOTS=1 npx playwright test e2e/screenshots.spec.ts
 * (after `npx next build`). Writes docs/screenshots/*.png; skipped in ordinary runs.
 */
const dir = "docs/screenshots";
const SHOWCASE = [
  "Here is what **markdown** looks like:",
  "",
  "| Bot | Status |",
  "|---|---|",
  "| Demo Bot | online |",
  "| Night Owl | offline |",
  "",
  "```ts",
  "function greet(name: string): string {",
  "  return `Hello, ${name}!`; // typed",
  "}",
  "```",
  "",
  "- lists, [links](https://example.com) and `inline code`",
].join("\n");

test.skip(!process.env.SCREENSHOTS, "set SCREENSHOTS=1 to regenerate docs/screenshots");
test.beforeAll(() => mkdirSync(dir, { recursive: true }));

async function openShowcase(page: Page) {
  await sessionRow(page, "Archived chat 2").click();
  const log = page.getByRole("log", { name: "Messages" });
  await expect(log).toBeVisible();
  // One rich message to show markdown, once per server run (it is Alice's archived chat, active).
  if ((await log.getByText("Here is what").count()) === 0) {
    await page.getByRole("textbox", { name: "Message" }).fill(SHOWCASE);
    await page.keyboard.press("Enter");
  }
  await expect(log.locator("pre code .hljs-keyword").first()).toBeVisible();
  await expect(log.getByTestId("message").last()).toHaveAttribute("data-status", /^(sent|delivered|read)$/);
  if ((page.viewportSize()?.width ?? 0) >= 768) {
    await expect(sessionRow(page, "Archived chat 2")).toHaveAccessibleDescription(/You: Here is what/);
  }
  await page.mouse.move(0, 0);
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`${colorScheme}`, () => {
    test.use({ colorScheme });

    test(`desktop (${colorScheme})`, async ({ page }) => {
      await page.setViewportSize({ width: 1280, height: 800 });
      await signIn(page, ALICE.email);
      await openShowcase(page);
      await page.screenshot({ path: `${dir}/chat-desktop-${colorScheme}.png` });

      await page.getByRole("button", { name: "New chat" }).click();
      await expect(page.getByRole("dialog", { name: "New chat" }).getByRole("button", { name: "Demo Bot", exact: true })).toBeVisible();
      await page.waitForTimeout(250);
      await page.screenshot({ path: `${dir}/new-chat-${colorScheme}.png` });
      await page.keyboard.press("Escape");

      await page.getByRole("button", { name: "Close session" }).click();
      await expect(page.getByRole("alertdialog")).toBeVisible();
      await page.waitForTimeout(250);
      await page.screenshot({ path: `${dir}/close-session-${colorScheme}.png` });
      await page.keyboard.press("Escape");
    });

    test(`phone (${colorScheme})`, async ({ browser, baseURL }) => {
      const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, colorScheme });
      const page = await context.newPage();
      await signIn(page, ALICE.email);
      await expect(page.getByRole("navigation", { name: "Sessions" }).getByTestId("session-row").first()).toBeVisible();
      await page.screenshot({ path: `${dir}/list-phone-${colorScheme}.png` });
      await openShowcase(page);
      await page.screenshot({ path: `${dir}/thread-phone-${colorScheme}.png` });
      await context.close();
    });

    test(`sign-in (${colorScheme})`, async ({ page }) => {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto("/signin");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByText("Enter a valid email address")).toBeVisible();
      await page.screenshot({ path: `${dir}/sign-in-${colorScheme}.png` });
    });
  });
}
