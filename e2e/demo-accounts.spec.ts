import { expect, test } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { createScratchDatabase } from "../src/test/databases";
import { startAppServer } from "./app-server";
import { CAROL, DEMO_PASSWORD } from "./fixtures";

test("on the embedded default the sign-in page lists the demo accounts, and one click fills the form", async ({ page }) => {
  await page.goto("/signin");
  const demo = page.getByRole("region", { name: "Demo accounts" });
  await expect(demo).toContainText(DEMO_PASSWORD);
  for (const email of ["alice@example.com", "bob@example.com", "carol@example.com"]) {
    await expect(demo.getByRole("button", { name: new RegExp(email) })).toBeVisible();
  }

  // A click that lands before hydration does nothing yet: click until the form is filled.
  await expect(async () => {
    await demo.getByRole("button", { name: /carol@example\.com/ }).click();
    await expect(page.getByLabel("Email")).toHaveValue(CAROL.email, { timeout: 1000 });
  }).toPass();
  await expect(page.getByLabel("Password")).toHaveValue(DEMO_PASSWORD);
  // The form's own button has the focus: Enter signs in.
  await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByRole("heading", { name: `Welcome, ${CAROL.name}` })).toBeVisible();
});

test("with an external PostgreSQL the sign-in page says nothing of demo accounts", async ({ page }) => {
  const adminUrl = process.env.TEST_DATABASE_URL;
  test.skip(!adminUrl, "needs TEST_DATABASE_URL (a PostgreSQL server to create a database on)");
  test.setTimeout(180_000);
  const database = await createScratchDatabase(adminUrl!, "pitchat_e2e");
  const server = await startAppServer(4, {
    DATABASE_URL: database.url,
    NEXTAUTH_SECRET: randomBytes(24).toString("base64url"),
    // The launcher says it starts Next on the embedded default only; make sure nothing leaks in.
    PITCHAT_EMBEDDED: "1",
  }).catch(async (error) => {
    await database.drop();
    throw error;
  });
  try {
    await page.goto(`${server.baseURL}/signin`);
    await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
    await expect(page.getByRole("region", { name: "Demo accounts" })).toHaveCount(0);
    expect(await page.content()).not.toContain(DEMO_PASSWORD);
  } finally {
    await server.stop();
    await database.drop();
  }
});
