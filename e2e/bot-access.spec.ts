import { expect, test } from "@playwright/test";
import pg from "pg";
import { startAppServer } from "./app-server";
import { ALICE, DEMO_PASSWORD } from "./fixtures";

/**
 * An operator revokes Alice's grant to the private Secret Agent while she has a chat with it open.
 * Grants have no API yet, so the test plays the operator on the database itself: a server of its own
 * whose embedded database listens on a known port.
 */
test.describe.configure({ mode: "serial" });

const dbPort = Number(process.env.E2E_PORT ?? 3100) + 50;
let server: Awaited<ReturnType<typeof startAppServer>>;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  // A pool of 4 of the embedded database's 8 connections leaves room for the test's own.
  server = await startAppServer(3, { PITCHAT_DB_PORT: String(dbPort), DATABASE_POOL_MAX: "4" });
});
test.afterAll(async () => {
  await server?.stop();
});

async function sql(text: string) {
  const client = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres?sslmode=disable` });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

const SECRET_PLANS = "Top secret plans";

test("a revoked grant: the send fails with a clear error, nothing is stored, and the composer says why", async ({ page }) => {
  await page.goto(`${server.baseURL}/signin`);
  await page.getByLabel("Email").fill(ALICE.email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Sessions" }).getByRole("link", { name: SECRET_PLANS }).click();
  const box = page.getByRole("textbox", { name: "Message" });
  await expect(box).toBeEditable();

  await sql(`DELETE FROM "BotAccess" WHERE "userId" = (SELECT id FROM "User" WHERE email = '${ALICE.email}')
    AND "botId" = (SELECT id FROM "Bot" WHERE name = 'secret-agent')`);

  // The page still thinks she may send: the server refuses, and the message turns failed with why.
  await box.fill("Are you still there?");
  await box.press("Enter");
  const failed = page.getByTestId("message").filter({ hasText: "Are you still there?" });
  await expect(failed).toHaveAttribute("data-status", "failed");
  await expect(failed).toContainText("You no longer have access to this bot");
  // The composer learns it too, without a reload.
  await expect(page.getByRole("status").filter({ hasText: "You no longer have access to Secret Agent" })).toBeVisible();
  await expect(box).toBeDisabled();
  await expect(page.getByRole("button", { name: "Send" })).toBeDisabled();

  const stored = await sql(`SELECT count(*)::int AS n FROM "Message" WHERE content = 'Are you still there?'`);
  expect(stored).toEqual([{ n: 0 }]);

  // Opened afresh: the history is there, the composer explains at once, and New chat no longer offers the bot.
  await page.reload();
  await expect(page.getByTestId("message").first()).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "You no longer have access to Secret Agent" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Message" })).toBeDisabled();
  await page.getByRole("button", { name: "New chat" }).click();
  const dialog = page.getByRole("dialog", { name: "New chat" });
  await expect(dialog.getByRole("button", { name: "Demo Bot", exact: true })).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Secret Agent", exact: true })).toHaveCount(0);
});
