import { expect, test } from "@playwright/test";
import { ALICE, DEMO_PASSWORD } from "./fixtures";
import { REDIRECT_TRICKS } from "./redirect-tricks";

test.describe("after sign-in, the callbackUrl never leaves the site", () => {
  test("the tricks of the redirect corpus all land on /chat, in a real browser", async ({ page, context, baseURL }) => {
    test.setTimeout(180_000);
    const offsite: string[] = [];
    await context.route((url) => url.origin !== new URL(baseURL!).origin, (route) => {
      offsite.push(route.request().url());
      return route.abort();
    });
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    // The issue's own URL, exactly as written (the query decodes %09 to a tab), then the corpus.
    const queries = ["callbackUrl=/%09/evil.example", ...REDIRECT_TRICKS.map((trick) => `callbackUrl=${encodeURIComponent(trick)}`)];
    for (const query of queries) {
      await context.clearCookies();
      await page.goto(`/signin?${query}`);
      await page.getByLabel("Email").fill(ALICE.email);
      await page.getByLabel("Password").fill(DEMO_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page, query).toHaveURL(`${baseURL}/chat`);
      await expect(page.getByRole("heading", { name: "Welcome, Alice" })).toBeVisible();
    }
    expect(offsite).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  test("a path on the site is still followed", async ({ page, baseURL }) => {
    await page.goto(`/signin?callbackUrl=${encodeURIComponent("/chat?status=closed")}`);
    await page.getByLabel("Email").fill(ALICE.email);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(`${baseURL}/chat?status=closed`);
  });
});

test("the session cookie is HttpOnly and SameSite=Lax (and not Secure over plain HTTP)", async ({ request }) => {
  const setCookies = (res: { headersArray(): { name: string; value: string }[] }) =>
    res.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value);
  const csrfRes = await request.get("/api/auth/csrf");
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email: ALICE.email, password: DEMO_PASSWORD, json: "true" },
    maxRedirects: 0,
  });
  const cookies = setCookies(res);
  const session = cookies.find((cookie) => cookie.startsWith("next-auth.session-token="));
  expect(session, cookies.join("\n")).toBeTruthy();
  const attributes = session!.split(";").slice(1).map((a) => a.trim().toLowerCase());
  expect(attributes).toContain("httponly");
  expect(attributes).toContain("samesite=lax");
  expect(attributes).toContain("path=/");
  // NextAuth sets Secure (and the __Secure- prefix) exactly when NEXTAUTH_URL is https.
  expect(attributes).not.toContain("secure");
  // NextAuth's CSRF cookie is HttpOnly and SameSite=Lax too.
  const csrf = setCookies(csrfRes).find((cookie) => cookie.startsWith("next-auth.csrf-token="));
  expect(csrf?.toLowerCase()).toContain("httponly");
  expect(csrf?.toLowerCase()).toContain("samesite=lax");
});

test.describe("without JavaScript (or before hydration)", () => {
  test.use({ javaScriptEnabled: false });

  test("submitting the sign-in or sign-up form never puts the password in the URL", async ({ page }) => {
    for (const path of ["/signin", "/signup"]) {
      await page.goto(path);
      await page.getByLabel("Email").fill("someone@example.com");
      await page.getByLabel("Password").fill("a secret password");
      await page.getByRole("button", { name: path === "/signin" ? "Sign in" : "Sign up", exact: true }).click();
      await page.waitForLoadState();
      expect(page.url(), path).not.toContain("secret");
      expect(page.url(), path).not.toContain("password");
    }
  });
});
