import { expect, test } from "@playwright/test";
import { ALICE, BOB, sessionRow, signIn } from "./fixtures";

test("another user's session shows not-found and nothing of it", async ({ browser }) => {
  const alice = await browser.newContext();
  const alicePage = await alice.newPage();
  await signIn(alicePage, ALICE.email);
  await sessionRow(alicePage, "The long thread").click();
  await expect(alicePage).toHaveURL(/\/chat\/[^/]+$/);
  const url = new URL(alicePage.url()).pathname;
  await alice.close();

  const bob = await browser.newContext();
  const page = await bob.newPage();
  await signIn(page, BOB.email);
  const responses: string[] = [];
  page.on("response", async (response) => {
    if (response.url().includes("/api/trpc") || response.url().includes(url)) responses.push(await response.text().catch(() => ""));
  });
  await page.goto(url);
  await expect(page.getByRole("heading", { name: "Conversation not found" })).toBeVisible();
  await expect(page.getByRole("log")).toHaveCount(0);
  await expect(page.getByTestId("message")).toHaveCount(0);
  await expect(page.getByText("The long thread")).toHaveCount(0);
  await expect(page).not.toHaveTitle(/long thread/i);
  // Bob's own list is there, and nothing of Alice's came over the wire.
  await expect(sessionRow(page, "Bob's private notes")).toBeVisible();
  for (const body of responses) {
    expect(body).not.toContain("The long thread");
    expect(body).not.toContain("from Alice");
  }
  await page.getByRole("link", { name: "Back to your chats" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await bob.close();
});

test("a session id that does not exist shows the same not-found page", async ({ page }) => {
  await signIn(page, BOB.email);
  await page.goto("/chat/no-such-session");
  await expect(page.getByRole("heading", { name: "Conversation not found" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Message" })).toHaveCount(0);
});
