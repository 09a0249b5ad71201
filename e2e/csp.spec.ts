import { expect, test, type APIResponse, type Page } from "@playwright/test";
import { sendMessage, signUpFresh, startChat } from "./fixtures";

/** The security headers every response carries, pages and API alike. */
function expectCommonHeaders(res: APIResponse) {
  const headers = res.headers();
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-frame-options"]).toBe("DENY");
}

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(";").map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));
}

test("pages carry a nonce-based CSP, fresh per request, and every script of the page has that nonce", async ({ request }) => {
  const nonces = new Set<string>();
  for (const path of ["/signin", "/signup", "/signin", "/no-such-page"]) {
    const res = await request.get(path);
    expectCommonHeaders(res);
    const policy = res.headers()["content-security-policy"];
    expect(policy, path).toBeTruthy();
    const csp = directives(policy!);
    const script = csp.get("script-src")!;
    const nonce = script.find((v) => v.startsWith("'nonce-"))!.slice("'nonce-".length, -1);
    expect(script).toContain("'strict-dynamic'");
    expect(script).not.toContain("'unsafe-inline'");
    expect(script).not.toContain("'unsafe-eval'");
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'self'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    // Served over plain HTTP here: upgrading to https would break the page.
    expect(csp.has("upgrade-insecure-requests")).toBe(false);
    nonces.add(nonce);

    const html = await res.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length, path).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag, path).toContain(`nonce="${nonce}"`);
  }
  expect(nonces.size).toBe(4);
});

test("the API answers with a policy that lets nothing load, and the same headers", async ({ request }) => {
  for (const path of ["/api/auth/csrf", "/api/trpc/bot.list"]) {
    const res = await request.get(path);
    expectCommonHeaders(res);
    const csp = directives(res.headers()["content-security-policy"] ?? "");
    expect(csp.get("default-src"), path).toEqual(["'none'"]);
    expect(csp.get("frame-ancestors"), path).toEqual(["'none'"]);
  }
});

/** Every CSP violation the page reports, from the DOM event and from the console, across navigations. */
async function recordViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("__reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __reportCspViolation: (text: string) => void }).__reportCspViolation;
      void report(`${location.pathname}: ${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  page.on("console", (message) => {
    if (/content security policy/i.test(message.text())) violations.push(`console on ${page.url()}: ${message.text()}`);
  });
  return violations;
}

test("no page reports a CSP violation while a user signs up, chats, uses the dialogs and signs out", async ({ page }) => {
  const violations = await recordViolations(page);

  const user = await signUpFresh(page, "Cecile");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/chat$/);

  // The New chat dialog, a thread, markdown with a table, a link and code (the highlighter loads lazily).
  await startChat(page, "Demo Bot");
  const row = await sendMessage(page, "Markdown under the policy\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```js\nconst answer = 42;\n```\n\nSee [the docs](https://example.com/docs).");
  await expect(row.locator("pre code .hljs-keyword")).toHaveText("const");
  await expect(row.locator("table td")).toHaveText(["1", "2"]);

  // The confirmation dialog, cancelled.
  await page.getByRole("button", { name: "Close session" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toBeVisible();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();

  // A page that does not exist, then back, and out.
  await page.goto("/chat/no-such-session");
  await expect(page.getByRole("heading", { name: /not found/i })).toBeVisible();
  await page.goto("/no-such-page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.goto("/chat");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);

  expect(violations).toEqual([]);
});
