import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import { startAppServer } from "./app-server";
import { ALICE, BOB, DEMO_PASSWORD, uniqueEmail } from "./fixtures";

/**
 * Per-IP limits over real HTTP, on servers of their own with strict limits: 3 sign-in attempts per
 * address and email, 6 per address, 2 sign-ups per address. A client that writes its own
 * X-Forwarded-For (or the header our server stamps) must not get a fresh allowance with each one.
 */
const LIMITS = { RATE_LIMIT_SIGNIN: "3", RATE_LIMIT_SIGNIN_IP: "6", RATE_LIMIT_REGISTER: "2", RATE_LIMIT_SEND: "1000" };

test.describe.configure({ mode: "serial" });

/** One sign-in attempt through NextAuth's credentials endpoint: "ok", "wrong" or "limited". */
async function signInAttempt(api: APIRequestContext, email: string, password: string, headers: Record<string, string> = {}) {
  const { csrfToken } = (await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await api.post("/api/auth/callback/credentials", {
    form: { csrfToken, email, password, json: "true" },
    headers,
    maxRedirects: 0,
  });
  const { url } = (await res.json()) as { url: string };
  const error = new URL(url).searchParams.get("error");
  if (!error) return "ok";
  return error.startsWith("Too many requests") ? "limited" : "wrong";
}

async function signUpAttempt(api: APIRequestContext, headers: Record<string, string>) {
  const res = await api.post("/api/trpc/auth.register", {
    data: { json: { email: uniqueEmail("limit"), password: "long enough password" } },
    headers,
  });
  return res.status();
}

test.describe("no proxy declared (TRUSTED_PROXY_HOPS=0)", () => {
  let server: Awaited<ReturnType<typeof startAppServer>>;
  let api: APIRequestContext;
  test.beforeAll(async () => {
    test.setTimeout(180_000);
    server = await startAppServer(1, LIMITS);
    api = await playwrightRequest.newContext({ baseURL: server.baseURL });
  });
  test.afterAll(async () => {
    await api?.dispose();
    await server?.stop();
  });

  test("a forged X-Forwarded-For does not escape the sign-in limit", async () => {
    const results = [];
    for (let i = 1; i <= 3; i++) {
      results.push(await signInAttempt(api, ALICE.email, `wrong password ${i}`, { "X-Forwarded-For": `198.51.100.${i}` }));
    }
    expect(results).toEqual(["wrong", "wrong", "wrong"]);
    // The right password, from a "new" address and with our own server's header forged too: still refused.
    expect(
      await signInAttempt(api, ALICE.email, DEMO_PASSWORD, { "X-Forwarded-For": "203.0.113.99", "X-Pitchat-Peer-Address": "203.0.113.98" }),
    ).toBe("limited");
  });

  test("the lock is per address and email: another user at the same address still signs in", async () => {
    expect(await signInAttempt(api, BOB.email, DEMO_PASSWORD, { "X-Forwarded-For": "198.51.100.50" })).toBe("ok");
  });

  test("the per-address limit counts every email, however the client labels itself", async () => {
    // 5 attempts so far from this address (Alice's 4, Bob's 1): one more is allowed, whatever the emails and headers.
    const results = [];
    for (let i = 1; i <= 4; i++) {
      results.push(await signInAttempt(api, uniqueEmail("spray"), "some password", { "X-Forwarded-For": `192.0.2.${i}` }));
    }
    expect(results).toEqual(["wrong", "limited", "limited", "limited"]);
  });

  test("a forged X-Forwarded-For does not escape the sign-up limit", async () => {
    const statuses = [];
    for (let i = 1; i <= 3; i++) statuses.push(await signUpAttempt(api, { "X-Forwarded-For": `198.51.100.${i}` }));
    expect(statuses).toEqual([200, 200, 429]);
  });
});

test.describe("behind one proxy (TRUSTED_PROXY_HOPS=1)", () => {
  let server: Awaited<ReturnType<typeof startAppServer>>;
  let api: APIRequestContext;
  test.beforeAll(async () => {
    test.setTimeout(180_000);
    server = await startAppServer(2, { ...LIMITS, TRUSTED_PROXY_HOPS: "1" });
    api = await playwrightRequest.newContext({ baseURL: server.baseURL });
  });
  test.afterAll(async () => {
    await api?.dispose();
    await server?.stop();
  });

  // The test plays the proxy: it appends the client's address (203.0.113.x) to whatever the client sent.
  test("the address the proxy appended counts; what the client wrote before it does not", async () => {
    const results = [];
    for (let i = 1; i <= 3; i++) {
      results.push(await signInAttempt(api, ALICE.email, `wrong password ${i}`, { "X-Forwarded-For": `198.51.100.${i}, 203.0.113.7` }));
    }
    expect(results).toEqual(["wrong", "wrong", "wrong"]);
    expect(await signInAttempt(api, ALICE.email, DEMO_PASSWORD, { "X-Forwarded-For": "198.51.100.99, 203.0.113.7" })).toBe("limited");
  });

  test("another client behind the same proxy is not locked out", async () => {
    expect(await signInAttempt(api, ALICE.email, DEMO_PASSWORD, { "X-Forwarded-For": "203.0.113.8" })).toBe("ok");
  });

  test("sign-ups are counted per client behind the proxy", async () => {
    const statuses = [];
    for (let i = 1; i <= 3; i++) statuses.push(await signUpAttempt(api, { "X-Forwarded-For": `198.51.100.${i}, 203.0.113.20` }));
    statuses.push(await signUpAttempt(api, { "X-Forwarded-For": "203.0.113.21" }));
    expect(statuses).toEqual([200, 200, 429, 200]);
  });
});
