import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { uniqueEmail } from "./fixtures";

/**
 * Sends at once over real HTTP against the production build on the embedded default (`npm start`,
 * no DATABASE_URL): the app's own pool talks to PGlite through its socket, many requests in flight
 * together. Every answer must be a 2xx or the 4xx the input deserves (never a 5xx), and the rows
 * stored must be exactly the ones expected, checked through the API (getSession, listMessages).
 */

const input = (json: unknown) => encodeURIComponent(JSON.stringify({ json }));

type Envelope<T> = { result?: { data?: { json?: T } }; error?: { json?: { message?: string; data?: { code?: string } } } };
type Message = { id: string; seq: number; clientId: string | null; replyTo: string | null; sessionId: string };
type Sent = { status: number; body: Envelope<{ message: Message }> };

async function json<T>(res: APIResponse): Promise<T> {
  const body = (await res.json()) as Envelope<T>;
  expect(res.ok(), `${res.url()}: ${res.status()} ${JSON.stringify(body.error ?? body).slice(0, 300)}`).toBe(true);
  return body.result!.data!.json!;
}

/** A fresh user (so the seeded demo data other specs count stays untouched), signed in on `request`. */
async function freshUser(request: APIRequestContext) {
  const email = uniqueEmail("race");
  const password = "long enough password";
  await json(await request.post("/api/trpc/auth.register", { data: { json: { email, password, name: "Race" } } }));
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email, password, json: "true" },
    maxRedirects: 0,
  });
  expect([200, 302]).toContain(res.status());
}

async function newSession(request: APIRequestContext): Promise<string> {
  const { bots } = await json<{ bots: { id: string; displayName: string }[] }>(
    await request.get(`/api/trpc/bot.list?input=${input({})}`),
  );
  // The offline bot: each send goes the whole way (stored, its job dispatched, marked failed with a
  // reason since the bot is offline) but no reply is added, so the session holds exactly the sends.
  const bot = bots.find((b) => b.displayName === "Night Owl")!;
  const { session } = await json<{ session: { id: string } }>(
    await request.post("/api/trpc/chat.createSession", { data: { json: { botId: bot.id } } }),
  );
  return session.id;
}

async function send(request: APIRequestContext, payload: Record<string, unknown>, options: { timeout?: number } = {}): Promise<Sent> {
  const res = await request.post("/api/trpc/chat.sendMessage", { data: { json: payload }, ...options });
  return { status: res.status(), body: (await res.json()) as Sent["body"] };
}

/** Every message of a session, oldest first, paged through listMessages. */
async function allMessages(request: APIRequestContext, sessionId: string): Promise<Message[]> {
  const out: Message[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await json<{ messages: Message[]; hasMore: boolean; nextCursor: string | null }>(
      await request.get(`/api/trpc/chat.listMessages?input=${input({ sessionId, limit: 100, ...(before ? { before } : {}) })}`),
    );
    out.unshift(...page.messages);
    if (!page.hasMore) return out;
    before = page.nextCursor!;
  }
}

async function messageCount(request: APIRequestContext, sessionId: string): Promise<number> {
  const { session } = await json<{ session: { messageCount: number } }>(
    await request.get(`/api/trpc/chat.getSession?input=${input({ sessionId })}`),
  );
  return session.messageCount;
}

const tally = (sent: Sent[]) => sent.reduce<Record<number, number>>((t, s) => ((t[s.status] = (t[s.status] ?? 0) + 1), t), {});

test("20 sends, each sent 3 times at once with the same clientId: 60 answers, 0 errors, exactly 20 rows", async ({ request }) => {
  await freshUser(request);
  const sessionId = await newSession(request);
  const clientIds = Array.from({ length: 20 }, (_, i) => `dup-${i}`);
  const sends = clientIds.flatMap((clientId, i) =>
    Array.from({ length: 3 }, () => ({ clientId, call: () => send(request, { sessionId, content: `message ${i}`, clientId }) })),
  );
  const results = await Promise.all(sends.map((s) => s.call()));

  expect(tally(results)).toEqual({ 200: 60 });
  // Every call of one clientId answers the same stored message.
  const byClientId = new Map<string, Set<string>>();
  results.forEach((r, i) => {
    const ids = byClientId.get(sends[i]!.clientId) ?? new Set();
    ids.add(r.body.result!.data!.json!.message.id);
    byClientId.set(sends[i]!.clientId, ids);
  });
  for (const ids of byClientId.values()) expect(ids.size).toBe(1);

  const rows = await allMessages(request, sessionId);
  expect(rows).toHaveLength(20);
  expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(rows.map((r) => r.clientId).sort()).toEqual([...clientIds].sort());
  expect(await messageCount(request, sessionId)).toBe(20);
});

test("200 sends at once mixed with failing and aborted ones: no 5xx, each answered as its input deserves, exact rows", async ({ request }) => {
  await freshUser(request);
  const sessionId = await newSession(request);
  const otherSessionId = await newSession(request);
  const first = await send(request, { sessionId, content: "first", clientId: "first" });
  const elsewhere = await send(request, { sessionId: otherSessionId, content: "elsewhere", clientId: "elsewhere" });
  const firstId = first.body.result!.data!.json!.message.id;
  const elsewhereId = elsewhere.body.result!.data!.json!.message.id;

  type Kind = "new" | "duplicate" | "foreign-key" | "bad-input" | "not-found" | "aborted";
  const ops: { kind: Kind; clientId?: string; payload: Record<string, unknown> }[] = [];
  // 90 new messages (every fifth a reply to the first), 40 of them sent a second time at once,
  for (let i = 0; i < 90; i++) {
    const payload = { sessionId, content: `new ${i}`, clientId: `c-${i}`, ...(i % 5 === 0 ? { replyTo: firstId } : {}) };
    ops.push({ kind: "new", clientId: `c-${i}`, payload });
    if (i < 40) ops.push({ kind: "duplicate", clientId: `c-${i}`, payload });
  }
  // a reply to another session's message (the composite foreign key breaks inside the statement),
  for (let i = 0; i < 20; i++) ops.push({ kind: "foreign-key", payload: { sessionId, content: `bad reply ${i}`, clientId: `fk-${i}`, replyTo: elsewhereId } });
  // input the schema refuses, and sessions that do not exist.
  const bad = [{ sessionId, content: "   " }, { sessionId, content: "x", contentType: "html" }, { sessionId, content: "x", extra: 1 }, { sessionId, content: 42 }];
  for (let i = 0; i < 20; i++) ops.push({ kind: "bad-input", payload: bad[i % bad.length]! });
  for (let i = 0; i < 20; i++) ops.push({ kind: "not-found", payload: { sessionId: `no-such-session-${i}`, content: "x", clientId: `nf-${i}` } });
  // and 10 the client gives up on at once (sent again with the same clientId below).
  for (let i = 90; i < 100; i++) ops.push({ kind: "aborted", clientId: `c-${i}`, payload: { sessionId, content: `new ${i}`, clientId: `c-${i}` } });
  expect(ops).toHaveLength(200);
  // A fixed shuffle, so a failure reproduces.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = ops.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ops[i], ops[j]] = [ops[j]!, ops[i]!];
  }

  const results = await Promise.all(
    ops.map((op) =>
      op.kind === "aborted"
        ? send(request, op.payload, { timeout: 1 }).catch((): Sent => ({ status: 0, body: {} }))
        : send(request, op.payload),
    ),
  );
  // The aborted ones, sent again: stored whether or not the abandoned request had stored them.
  for (const [i, op] of ops.entries()) if (op.kind === "aborted") results[i] = await send(request, op.payload);

  const expected: Record<Kind, number> = { new: 200, duplicate: 200, "foreign-key": 400, "bad-input": 400, "not-found": 404, aborted: 200 };
  const wrong = results
    .map((r, i) => ({ kind: ops[i]!.kind, status: r.status, error: r.body.error?.json?.message }))
    .filter((r) => r.status !== expected[r.kind]);
  expect(wrong, JSON.stringify(wrong.slice(0, 5))).toEqual([]);
  expect(results.filter((r) => r.status >= 500)).toHaveLength(0);

  // A repeated clientId answers the message its twin stored.
  const stored = new Map<string, string>();
  results.forEach((r, i) => {
    const op = ops[i]!;
    if (op.kind !== "new" && op.kind !== "duplicate" && op.kind !== "aborted") return;
    const id = r.body.result!.data!.json!.message.id;
    expect(stored.get(op.clientId!) ?? id).toBe(id);
    stored.set(op.clientId!, id);
  });

  const rows = await allMessages(request, sessionId);
  expect(rows).toHaveLength(101);
  expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
  expect(rows.map((r) => r.clientId).sort()).toEqual(["first", ...Array.from({ length: 100 }, (_, i) => `c-${i}`)].sort());
  expect(new Set(rows.map((r) => r.id))).toEqual(new Set([firstId, ...stored.values()]));
  expect(rows.filter((r) => r.replyTo === firstId)).toHaveLength(18);
  expect(await messageCount(request, sessionId)).toBe(101);
  expect((await allMessages(request, otherSessionId)).map((r) => r.id)).toEqual([elsewhereId]);
});
