import { expect, test, type APIRequestContext } from "@playwright/test";
import { ALICE, DEMO_PASSWORD } from "./fixtures";

/** The HTTP edge of /api/trpc, as outside clients see it on the production build. */

async function signInRequest(request: APIRequestContext, email: string) {
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email, password: DEMO_PASSWORD, json: "true" },
    maxRedirects: 0,
  });
  expect([200, 302]).toContain(res.status());
}

const input = (json: unknown) => encodeURIComponent(JSON.stringify({ json }));

test("signed-out calls are UNAUTHORIZED, not errors", async ({ request }) => {
  const res = await request.get(`/api/trpc/chat.listSessions?input=${input({})}`);
  expect(res.status()).toBe(401);
  const body = await res.json();
  expect(body.error.json.data.code).toBe("UNAUTHORIZED");
});

test("bad input is a clear BAD_REQUEST with field errors, never a 500 or a stack", async ({ request }) => {
  await signInRequest(request, ALICE.email);
  const res = await request.get(`/api/trpc/chat.listSessions?input=${input({ limit: "abc" })}`);
  expect(res.status()).toBe(400);
  const body = await res.json();
  expect(body.error.json.data.code).toBe("BAD_REQUEST");
  expect(body.error.json.data.zodError.fieldErrors.limit).toBeTruthy();
  expect(JSON.stringify(body)).not.toContain("at ");
  expect(body.error.json.data.stack).toBeUndefined();

  const malformed = await request.get(`/api/trpc/chat.listSessions?input=%7Bnot-json`);
  expect(malformed.status()).toBe(400);
});

test("another user's session answers NOT_FOUND exactly like a missing one", async ({ request, playwright, baseURL }) => {
  const bob = await playwright.request.newContext({ baseURL });
  await signInRequest(bob, "bob@example.com");
  const bobs = await (await bob.get(`/api/trpc/chat.listSessions?input=${input({})}`)).json();
  const bobSessionId = bobs.result.data.json.sessions[0].id as string;
  await bob.dispose();

  await signInRequest(request, ALICE.email);
  const theirs = await request.get(`/api/trpc/chat.getSession?input=${input({ sessionId: bobSessionId })}`);
  const missing = await request.get(`/api/trpc/chat.getSession?input=${input({ sessionId: "no-such-session" })}`);
  expect(theirs.status()).toBe(404);
  expect(missing.status()).toBe(404);
  const [a, b] = [await theirs.json(), await missing.json()];
  expect(a.error.json.message).toBe("Session not found");
  expect(a.error.json.message).toBe(b.error.json.message);
  expect(JSON.stringify(a)).not.toContain("Bob's private notes");
});

test("a batch of more than 50 calls is refused with 400", async ({ request }) => {
  await signInRequest(request, ALICE.email);
  const paths = Array.from({ length: 51 }, () => "bot.list").join(",");
  const inputs = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [i, { json: {} }]))));
  const refused = await request.get(`/api/trpc/${paths}?batch=1&input=${inputs}`);
  expect(refused.status()).toBe(400);

  const fifty = Array.from({ length: 50 }, () => "bot.list").join(",");
  const inputs50 = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [i, { json: {} }]))));
  const accepted = await request.get(`/api/trpc/${fifty}?batch=1&input=${inputs50}`);
  expect(accepted.status()).toBe(200);
});

test("a request body over 1 MB is refused with 413 and stores nothing", async ({ request }) => {
  await signInRequest(request, ALICE.email);
  const sessions = await (await request.get(`/api/trpc/chat.listSessions?input=${input({ limit: 1 })}`)).json();
  const session = sessions.result.data.json.sessions[0];
  const huge = "x".repeat(1024 * 1024 + 10);
  const res = await request.post("/api/trpc/chat.sendMessage", {
    data: { json: { sessionId: session.id, content: huge } },
  });
  expect(res.status()).toBe(413);
  const after = await (await request.get(`/api/trpc/chat.getSession?input=${input({ sessionId: session.id })}`)).json();
  expect(after.result.data.json.session.messageCount).toBe(session.messageCount);
});

test("a path that is not percent-encoded UTF-8 is a 400 before any route decodes it", async ({ request }) => {
  for (const path of ["/api/trpc/%FF", "/api/auth/%FF", "/api/trpc/chat.getSession%C0%80", "/api/auth/callback/%ED%A0%80", "/chat/%E2%82"]) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.status(), path).toBe(400);
    expect((await res.json()).error.code, path).toBe("BAD_REQUEST");
  }
  // Valid percent-encoding still reaches the routes.
  expect((await request.get("/api/trpc/bot.list%2Cbot.list?batch=1")).status()).toBe(401);
});

test("NUL or a lone surrogate in a string is a BAD_REQUEST naming the field, and stores nothing", async ({ request }) => {
  await signInRequest(request, ALICE.email);
  const sessions = await (await request.get(`/api/trpc/chat.listSessions?input=${input({ limit: 1 })}`)).json();
  const session = sessions.result.data.json.sessions[0];

  const lookup = await request.get(`/api/trpc/chat.getSession?input=${input({ sessionId: `${session.id}\u0000` })}`);
  expect(lookup.status()).toBe(400);
  expect((await lookup.json()).error.json.data.zodError.fieldErrors.sessionId).toContain("Must not contain the NUL character (U+0000)");

  for (const [content, message] of [
    ["hello\u0000world", "Must not contain the NUL character (U+0000)"],
    ["hello \ud83d", "Must not contain an unpaired surrogate (text that is not valid Unicode)"],
  ]) {
    const res = await request.post("/api/trpc/chat.sendMessage", { data: { json: { sessionId: session.id, content } } });
    expect(res.status()).toBe(400);
    const body = await res.json();
    expect(body.error.json.data.zodError.fieldErrors.content).toContain(message);
  }
  const after = await (await request.get(`/api/trpc/chat.getSession?input=${input({ sessionId: session.id })}`)).json();
  expect(after.result.data.json.session.messageCount).toBe(session.messageCount);
});

test("sign-in answers hostile credentials and callback URLs without a 500", async ({ request }) => {
  const csrf = async () => ((await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string }).csrfToken;
  const nul = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken: await csrf(), email: ALICE.email, password: `${DEMO_PASSWORD}\u0000`, json: "true" },
    maxRedirects: 0,
  });
  expect(nul.status()).toBeLessThan(500);
  expect(nul.headers()["set-cookie"] ?? "").not.toContain("session-token");

  // NextAuth's own check of callbackUrl answers 500 ("server configuration"): the app answers 400.
  const param = await request.get("/api/auth/csrf?callbackUrl=%25FF");
  expect(param.status()).toBe(400);
  expect((await param.json()).error.code).toBe("BAD_REQUEST");

  // A callbackUrl in the form that is no URL at all leads home, on this site.
  const res = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken: await csrf(), email: ALICE.email, password: DEMO_PASSWORD, callbackUrl: "%FF", json: "true" },
    maxRedirects: 0,
  });
  expect(res.status()).toBe(200);
  expect(new URL((await res.json()).url).origin).toBe(new URL(res.url()).origin);
});
