import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ALICE, sessionRow, signIn } from "./fixtures";

/**
 * axe-core's WCAG 2.1 A/AA rules over the page once its finite animations have ended (a dialog
 * fading in is checked for contrast at its final colours, not half transparent); the violations,
 * readably.
 */
async function violations(page: Page) {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => Number.isFinite(Number(animation.effect?.getComputedTiming().endTime)))
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(colorScheme, () => {
    test.use({ colorScheme });

    test(`sign-in, chat list, thread and dialogs pass axe (${colorScheme})`, async ({ page }) => {
      await page.goto("/signin");
      await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
      expect(await violations(page)).toEqual([]);

      await signIn(page, ALICE.email);
      await expect(page.getByRole("navigation", { name: "Sessions" }).getByTestId("session-row").first()).toBeVisible();
      expect(await violations(page)).toEqual([]);

      await sessionRow(page, "The long thread").click();
      await expect(page.getByRole("log", { name: "Messages" }).getByTestId("message").first()).toBeVisible();
      expect(await violations(page)).toEqual([]);

      await page.getByRole("button", { name: "New chat" }).click();
      await expect(page.getByRole("dialog", { name: "New chat" }).getByRole("button", { name: "Demo Bot", exact: true })).toBeVisible();
      expect(await violations(page)).toEqual([]);
      await page.keyboard.press("Escape");

      await page.getByRole("button", { name: "Close session" }).click();
      await expect(page.getByRole("alertdialog")).toBeVisible();
      expect(await violations(page)).toEqual([]);
      await page.keyboard.press("Escape");
    });
  });
}
