import { expect, test } from "@playwright/test";
import { ALICE, sessionRow, signIn } from "./fixtures";

// Read-only over Alice's seeded sessions: 63 in all, 15 closed, one with Secret Agent.
test("the session list pages in as it scrolls, newest first, and filters by status and bot", async ({ page }) => {
  await signIn(page, ALICE.email);
  const nav = page.getByRole("navigation", { name: "Sessions" });
  const rows = nav.getByTestId("session-row");
  await expect(rows).toHaveCount(20);
  await expect(nav).toContainText("63 conversations");
  await expect(rows.first().locator("img")).toHaveAttribute("src", "/avatars/demo.svg");

  // Infinite scroll: each trip to the bottom brings the next page, until all 63 are there.
  for (const expected of [40, 60, 63]) {
    await rows.last().scrollIntoViewIfNeeded();
    await expect(rows).toHaveCount(expected);
  }
  await expect(rows.last()).toContainText("Archived chat 60");
  const titles = await rows.locator("[id$='-title']").allTextContents();
  expect(new Set(titles).size).toBe(63);
  // Newest activity first, across page boundaries.
  const times = await rows.locator("time").evaluateAll((els) => els.map((el) => Date.parse(el.getAttribute("datetime")!)));
  expect(times).toEqual([...times].sort((a, b) => b - a));

  const status = page.getByRole("group", { name: "Status" });
  await status.getByRole("button", { name: "Closed" }).click();
  await expect(status.getByRole("button", { name: "Closed" })).toHaveAttribute("aria-pressed", "true");
  await expect(nav).toContainText("15 conversations");
  await expect(rows.first()).toContainText("Archived chat 4");
  await rows.last().scrollIntoViewIfNeeded();
  await expect(rows).toHaveCount(15);
  for (const s of await rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-status")))) expect(s).toBe("closed");

  await status.getByRole("button", { name: "Active" }).click();
  await expect(nav).toContainText("48 conversations");
  await expect(rows.filter({ hasText: "Closed" })).toHaveCount(0);

  await page.getByLabel("Bot").selectOption({ label: "Secret Agent" });
  await expect(rows).toHaveCount(1);
  await expect(sessionRow(page, "Top secret plans")).toBeVisible();

  await status.getByRole("button", { name: "All" }).click();
  await page.getByLabel("Bot").selectOption({ label: "Pit Guide" });
  await expect(nav).toContainText("21 conversations");
  await expect(sessionRow(page, "Welcome to Pit Chat")).toBeVisible();
});
