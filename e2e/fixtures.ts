import { expect, type Page } from "@playwright/test";

/** The seeded demo users (src/server/seed.ts, README "Demo users"). */
export const DEMO_PASSWORD = "pitchat-demo";
export const ALICE = { email: "alice@example.com", name: "Alice" };
export const BOB = { email: "bob@example.com", name: "Bob" };
export const CAROL = { email: "carol@example.com", name: "Carol" };

export function uniqueEmail(prefix = "e2e") {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}@example.com`;
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/chat/);
}

export async function signUp(page: Page, user: { name: string; email: string; password: string }) {
  await page.goto("/signup");
  await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/chat/);
}
