import { expect, test } from "@playwright/test";
import { signIn, signUp, uniqueEmail } from "./fixtures";

test("a new user signs up, signs out and signs back in", async ({ page }) => {
  const user = { name: "Nadia", email: uniqueEmail("nadia"), password: "correct horse battery" };
  await signUp(page, user);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);

  await page.getByLabel("Email").fill(user.email.toUpperCase());
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /wrong email or password/i })).toBeVisible();

  await signIn(page, user.email.toUpperCase(), user.password);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});

test("signing up twice with one email says so", async ({ page }) => {
  const user = { name: "Omar", email: uniqueEmail("omar"), password: "long enough password" };
  await signUp(page, user);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/signup");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText(/already registered/i)).toBeVisible();
});

test("sign-up form shows field errors from the shared schema", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("At least 8 characters")).toBeVisible();
  await expect(page).toHaveURL(/\/signup/);
});

test("a protected page sends a signed-out visitor to sign in and back", async ({ page }) => {
  await page.goto("/chat?from=test");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  const user = { name: "Pia", email: uniqueEmail("pia"), password: "long enough password" };
  await signUp(page, user);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/chat?from=test");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/chat\?from=test$/);
});
