import { expect, test } from "@playwright/test";
import fc from "fast-check";
import { z } from "zod";
import { routerInputs } from "@/test/trpc";
import { send, signUp, trpc, type Outcome, type Target } from "./fuzz/client";
import { Pools, requestArbitrary, type FuzzRequest, type Procedure } from "./fuzz/requests";
import type { JsonSchema } from "./fuzz/values";

/**
 * The API over real HTTP, fuzzed: every procedure of the router (read from the router itself, so a
 * new procedure is fuzzed without a line here), called with inputs generated from its Zod schema
 * and with hostile values, batched and not, by GET and POST, in malformed envelopes, under broken
 * paths; NextAuth's sign-in too. Every answer must be below 500 and carry no stack, source path or
 * database message; afterwards the rows the API shows must be exactly those the accepted calls made.
 *
 * FUZZ_SEED (printed) replays a run; FUZZ_CALLS sets how many calls (10,000 by default);
 * FUZZ_CONCURRENCY how many requests are in flight at once (the project's metadata says by default).
 */
const seed = Number(process.env.FUZZ_SEED ?? 20261203);
const callsWanted = Number(process.env.FUZZ_CALLS ?? 10_000);

function procedures(): Procedure[] {
  return [...routerInputs()].map(([path, { type, input }]) => ({
    path,
    type,
    schema: input ? (z.toJSONSchema(input, { io: "input", unrepresentable: "any" }) as JsonSchema) : undefined,
  }));
}

/** Requests, generated from the seed in blocks, for as long as the caller takes them. */
function* generate(procedureList: Procedure[]): Generator<FuzzRequest> {
  const arbitrary = requestArbitrary(procedureList);
  for (let block = 0; ; block++) yield* fc.sample(arbitrary, { seed: seed + block, numRuns: 200 });
}

type SessionRow = { id: string; messageCount: number; status: string; replying: boolean };
type Page = { sessions: SessionRow[]; total: number; nextCursor: string | null };

async function allSessions(target: Target): Promise<Map<string, SessionRow>> {
  const rows = new Map<string, SessionRow>();
  let cursor: string | null = null;
  do {
    const page: Page = await trpc<Page>(target, "chat.listSessions", { limit: 100, cursor }, "query");
    for (const row of page.sessions) rows.set(row.id, row);
    cursor = page.nextCursor;
  } while (cursor);
  return rows;
}

/** The sessions once no bot is working on a reply in any of them: a snapshot that holds still. */
async function settledSessions(target: Target): Promise<Map<string, SessionRow>> {
  for (let waited = 0; ; waited += 200) {
    const sessions = await allSessions(target);
    if (![...sessions.values()].some((s) => s.replying) || waited > 30_000) return sessions;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type MessageRow = { id: string; content: string; senderType: string };
async function allMessages(target: Target, sessionId: string): Promise<MessageRow[]> {
  const messages: MessageRow[] = [];
  let before: string | null = null;
  do {
    const page: { messages: MessageRow[]; nextCursor: string | null } = await trpc(target, "chat.listMessages", { sessionId, limit: 100, ...(before ? { before } : {}) }, "query");
    messages.push(...page.messages);
    before = page.nextCursor;
  } while (before);
  return messages;
}

const trimmed = (value: unknown) => (typeof value === "string" ? value.trim() : value);

test("every procedure answers generated and hostile input below 500, without leaks or stray writes", async ({ baseURL }) => {
  test.setTimeout(15 * 60_000);
  const concurrency = Number(process.env.FUZZ_CONCURRENCY ?? test.info().project.metadata.fuzzConcurrency ?? 1);
  const clientIp = `fuzz-${seed}-${Date.now().toString(36)}`;
  const procedureList = procedures();
  console.log(`fuzz: seed ${seed} (FUZZ_SEED=${seed} replays it), ${callsWanted} calls, ${concurrency} at a time, procedures: ${procedureList.map((p) => `${p.path} (${p.type})`).join(", ")}`);

  // The world the calls act on: a user with sessions and messages, and another user whose rows
  // must not move whatever ids the fuzzer sends.
  const me = await signUp(baseURL!, "Fuzz", clientIp);
  const other = await signUp(baseURL!, "Other", clientIp);
  const pools = new Pools(Date.now().toString(36));
  const { bots } = await trpc<{ bots: { id: string }[] }>(me, "bot.list", {}, "query");
  expect(bots.length).toBeGreaterThan(0);
  for (const bot of bots) pools.add("bot", bot.id);
  for (let i = 0; i < 3; i++) {
    const { session } = await trpc<{ session: { id: string } }>(me, "chat.createSession", { botId: bots[0]!.id }, "mutation");
    pools.add("session", session.id);
    const { message } = await trpc<{ message: { id: string } }>(me, "chat.sendMessage", { sessionId: session.id, content: `hello ${i}` }, "mutation");
    pools.add("message", message.id);
  }
  await trpc(me, "chat.closeSession", { sessionId: pools.lists.session[2] }, "mutation");
  const { session: theirs } = await trpc<{ session: { id: string } }>(other, "chat.createSession", { botId: bots[0]!.id }, "mutation");
  const { message: theirMessage } = await trpc<{ message: { id: string } }>(other, "chat.sendMessage", { sessionId: theirs.id, content: "not yours" }, "mutation");
  pools.add("session", theirs.id);
  pools.add("message", theirMessage.id);
  const { nextCursor } = await trpc<Page>(me, "chat.listSessions", { limit: 1 }, "query");
  if (nextCursor) pools.add("cursor", nextCursor);

  const before = await settledSessions(me);
  const theirsBefore = await settledSessions(other);
  // The bots answer as they please: what the calls made is counted in users' messages.
  const userMessagesBefore = new Map<string, number>();
  for (const id of before.keys()) userMessagesBefore.set(id, (await allMessages(me, id)).filter((m) => m.senderType === "user").length);

  // What the accepted calls wrote, to compare with what the API shows afterwards.
  const created = new Set<string>();
  const deleted = new Set<string>();
  const sent = new Map<string, { sessionId: string; content: unknown }>();
  const registered = new Set<string>();
  const refusedEmails = new Set<string>();
  const outcomes: Outcome[] = [];
  const statuses = new Map<number, number>();
  const perProcedure = new Map(procedureList.map((p) => [p.path, { calls: 0, accepted: 0 }]));
  let calls = 0;

  function learn(outcome: Outcome) {
    outcome.results?.forEach((result, index) => {
      const call = outcome.request.calls[index];
      if (!call) return;
      const tally = perProcedure.get(call.path);
      if (tally) {
        tally.calls++;
        if (result.data) tally.accepted++;
      }
      const input = (call.input ?? {}) as Record<string, unknown>;
      if (call.path === "auth.register" && call.exact && typeof input.email === "string") {
        const email = pools.text(input.email).trim().toLowerCase();
        if (result?.data) registered.add(email);
        // CONFLICT refuses an email that exists: only other refusals must leave it free.
        else if (result?.code !== "CONFLICT" && /^[a-z0-9._+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/.test(email)) refusedEmails.add(email);
      }
      if (!result?.data) return;
      const data = result.data as Record<string, Record<string, unknown> | string | null>;
      if (call.path === "chat.createSession") {
        const session = data.session as { id: string; title: string };
        created.add(session.id);
        pools.add("session", session.id);
        if (call.exact && input.title !== undefined && session.title !== trimmed(input.title)) outcome.failures.push(`call ${index} (${call.path}): title stored as ${JSON.stringify(session.title)}`);
      }
      if (call.path === "chat.sendMessage") {
        const message = data.message as { id: string; sessionId: string; content: string };
        if (sent.has(message.id)) return;
        sent.set(message.id, { sessionId: message.sessionId, content: message.content });
        pools.add("message", message.id);
        // With a clientId the answer may be an earlier message stored with it, of other content.
        if (call.exact && input.clientId === undefined && typeof input.content === "string" && message.content !== input.content.trim()) {
          outcome.failures.push(`call ${index} (${call.path}): content stored as ${JSON.stringify(message.content.slice(0, 40))}, sent ${JSON.stringify(input.content.slice(0, 40))}`);
        }
      }
      if (call.path === "chat.listSessions" && typeof data.nextCursor === "string") pools.add("cursor", data.nextCursor);
      if (call.path === "chat.deleteSession" && typeof data.sessionId === "string") deleted.add(data.sessionId);
    });
  }

  const started = performance.now();
  const requests = generate(procedureList);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (calls < callsWanted) {
        const outcome = await send(me, requests.next().value!, pools);
        learn(outcome);
        // A call is one answer: a batch answered call by call counts each, one refused whole counts one.
        calls += Math.max(1, Array.isArray(outcome.results) ? outcome.results.length : 1);
        statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
        // Keep the failures and a little of each success, not every 1 MB body.
        outcomes.push(outcome.failures.length ? outcome : { ...outcome, text: "", body: undefined });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1_000;
  const histogram = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status === -1 ? "connection closed during an oversized upload" : status}: ${n}`).join(", ");
  console.log(`fuzz: ${calls} calls in ${outcomes.length} requests, ${seconds.toFixed(1)} s (${(calls / seconds).toFixed(0)} calls/s); statuses ${histogram}`);
  console.log(`fuzz: answered calls by procedure (accepted): ${[...perProcedure].map(([path, t]) => `${path} ${t.calls} (${t.accepted})`).join(", ")}`);

  const failed = outcomes.filter((outcome) => outcome.failures.length > 0);
  if (failed.length) {
    // Grouped by procedure, field and kind of value, then the first few requests in full to replay.
    const groups = new Map<string, number>();
    for (const outcome of failed) {
      for (const failure of outcome.failures) {
        const index = /^call (\d+) /.exec(failure)?.[1];
        const call = outcome.request.calls[Number(index ?? 0)]!;
        const key = `${call.path} · ${call.field}: ${call.kind} → ${failure.replace(/^call \d+ \([^)]*\): /, "").replace(/stored as .*/, "stored changed").slice(0, 60)} (${outcome.request.shape})`;
        groups.set(key, (groups.get(key) ?? 0) + 1);
      }
    }
    console.log(`fuzz: ${failed.length} requests failed:\n${[...groups].sort((a, b) => b[1] - a[1]).map(([key, n]) => `${String(n).padStart(5)}  ${key}`).join("\n")}`);
    for (const outcome of failed.slice(0, 8)) {
      const body = typeof outcome.body === "string" ? outcome.body : outcome.body ? `<${outcome.body.byteLength} bytes>` : "";
      console.log(`\n${outcome.method} ${outcome.url.slice(0, 500)}\n${body.slice(0, 500)}\n→ ${outcome.status} ${outcome.text.slice(0, 400)}\n${outcome.failures.join("\n")}`);
    }
  }
  expect(failed.length, "requests answered with a 5xx, an internal error or a leak (see the log above)").toBe(0);
  expect(calls).toBeGreaterThanOrEqual(callsWanted);
  // Every procedure was reached with inputs of its own, and enough were valid to reach the database.
  // A subscription is never batched, so it gets a share of the single calls only.
  for (const [path, tally] of perProcedure) {
    const subscription = procedureList.find((p) => p.path === path)?.type === "subscription";
    expect(tally.calls, `calls answered by ${path}`).toBeGreaterThanOrEqual(Math.min(subscription ? 10 : 50, callsWanted / 200));
  }
  const accepted = [...perProcedure.values()].reduce((sum, t) => sum + t.accepted, 0);
  expect(accepted, "calls accepted").toBeGreaterThanOrEqual(calls * 0.05);

  // Rows: exactly the sessions and messages that accepted calls made (less the sessions they
  // deleted), stored as sent, and nothing of the other user's moved.
  const after = await settledSessions(me);
  expect([...after.keys()].sort()).toEqual([...before.keys(), ...created].filter((id) => !deleted.has(id)).sort());
  for (const [id, session] of after) {
    const mine = [...sent].filter(([, message]) => message.sessionId === id);
    if (mine.length === 0 && session.messageCount === 0) continue;
    const stored = await allMessages(me, id);
    expect(stored.length, `messages listed in session ${id}`).toBe(session.messageCount);
    expect(stored.filter((m) => m.senderType === "user").length, `users' messages in session ${id}`).toBe((userMessagesBefore.get(id) ?? 0) + mine.length);
    const contents = new Map(stored.map((message) => [message.id, message.content]));
    for (const [messageId, message] of mine) expect(contents.get(messageId), `content of message ${messageId}`).toBe(message.content);
  }
  expect(await allSessions(other)).toEqual(theirsBefore);

  // A refused sign-up wrote no user: the same email can still sign up.
  const unused = [...refusedEmails].filter((email) => !registered.has(email)).slice(0, 10);
  for (const email of unused) {
    const response = await fetch(`${baseURL}/api/trpc/auth.register`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": `${clientIp}-check` },
      body: JSON.stringify({ json: { email, password: "a clean password" } }),
    });
    expect(response.status, `sign-up of ${email}, refused during the run`).toBe(200);
  }
  console.log(`fuzz: ${created.size} sessions and ${sent.size} messages written by accepted calls, as the API lists them; ${unused.length} refused sign-ups left no user behind`);
});
