import { expect, test, type Locator, type Page } from "@playwright/test";
import { ALICE, sessionRow, signIn, signUpFresh } from "./fixtures";

/** Presses Tab until `target` has focus (or fails after `max` presses). */
async function tabTo(page: Page, target: Locator, max = 40) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error("could not reach the element with Tab");
}

test("the whole send flow works without a mouse", async ({ page }) => {
  await signUpFresh(page, "Kiran");
  await tabTo(page, page.getByRole("button", { name: "New chat" }));
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "New chat" });
  await expect(dialog).toBeVisible();
  await tabTo(page, dialog.getByRole("button", { name: "Demo Bot", exact: true }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/chat\/[^/]+$/);

  const box = page.getByRole("textbox", { name: "Message" });
  await tabTo(page, box);
  await page.keyboard.type("Typed and sent from the keyboard");
  await page.keyboard.press("Enter");
  await expect(page.locator('[data-testid="message"][data-sender="user"]').filter({ hasText: "Typed and sent from the keyboard" })).toHaveAttribute("data-status", /^(sent|delivered|read)$/);

  // Close session, confirmed from the keyboard too.
  await tabTo(page, page.getByRole("button", { name: "Close session" }));
  await page.keyboard.press("Enter");
  const confirm = page.getByRole("alertdialog", { name: "Close this session?" });
  await expect(confirm).toBeVisible();
  await tabTo(page, confirm.getByRole("button", { name: "Close session" }));
  await page.keyboard.press("Enter");
  await expect(box).toBeDisabled();
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test("the list and the thread are separate screens, with Back between them", async ({ page }) => {
    await signIn(page, ALICE.email);
    const nav = page.getByRole("navigation", { name: "Sessions" });
    await expect(nav).toBeVisible();
    await expect(page.getByRole("heading", { name: /Welcome, Alice/ })).toBeHidden();

    await sessionRow(page, "The long thread").click();
    const log = page.getByRole("log", { name: "Messages" });
    await expect(log).toBeVisible();
    await expect(nav).toBeHidden();
    await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();
    await expect(log.getByTestId("message").filter({ hasText: "Reply 2000 from Demo Bot" })).toBeVisible();

    await page.getByRole("link", { name: "Back" }).click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(nav).toBeVisible();
    await expect(log).toBeHidden();
  });
});
