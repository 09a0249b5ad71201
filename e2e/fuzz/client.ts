/**
 * The fuzzer's HTTP side: signing up and in over NextAuth as a client would, plain tRPC calls for
 * the setup and the final counts, and sending a fuzzed request and judging its answer.
 */
import { MAX_BODY_BYTES } from "@/server/api/http";
import type { FuzzRequest, Pools } from "./requests";

/** Node's default --max-http-header-size: a longer request line is answered 431, or cut off. */
const NODE_MAX_HEADER_BYTES = 16 * 1024;

export type Target = {
  baseURL: string;
  /** The cookies of a signed-in user (session and CSRF), as a Cookie header. */
  cookie: string;
  csrfToken: string;
  /** Sent as X-Forwarded-For: the fuzzer's rate-limit counters are its own, not other suites'. */
  clientIp: string;
};

function cookiesOf(response: Response): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const at = pair!.indexOf("=");
    cookies[pair!.slice(0, at)] = pair!.slice(at + 1);
  }
  return cookies;
}
const cookieHeader = (cookies: Record<string, string>) =>
  Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join("; ");

/** A procedure call that must succeed (setup and final counts); its data, deserialized from superjson's json. */
export async function trpc<T = Record<string, unknown>>(target: Pick<Target, "baseURL" | "cookie" | "clientIp">, path: string, input: unknown, kind: "query" | "mutation"): Promise<T> {
  const envelope = JSON.stringify({ json: input });
  const response = await fetch(
    kind === "query" ? `${target.baseURL}/api/trpc/${path}?input=${encodeURIComponent(envelope)}` : `${target.baseURL}/api/trpc/${path}`,
    {
      method: kind === "query" ? "GET" : "POST",
      headers: { cookie: target.cookie, "x-forwarded-for": target.clientIp, ...(kind === "mutation" ? { "content-type": "application/json" } : {}) },
      body: kind === "mutation" ? envelope : undefined,
    },
  );
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: unknown };
  if (!response.ok || !body.result) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.result.data.json;
}

/** Signs in through NextAuth's credentials callback; the cookies to send, or null if refused. */
export async function signIn(baseURL: string, email: string, password: string, clientIp: string): Promise<{ cookie: string; csrfToken: string } | null> {
  const csrf = await fetch(`${baseURL}/api/auth/csrf`, { headers: { "x-forwarded-for": clientIp } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookies = cookiesOf(csrf);
  const response = await fetch(`${baseURL}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(cookies), "x-forwarded-for": clientIp },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }).toString(),
  });
  await response.arrayBuffer();
  const all = { ...cookies, ...cookiesOf(response) };
  const session = Object.keys(all).find((name) => name.endsWith("next-auth.session-token"));
  return session && all[session] ? { cookie: cookieHeader(all), csrfToken } : null;
}

/** A fresh user, registered through the API and signed in. */
export async function signUp(baseURL: string, name: string, clientIp: string): Promise<Target & { email: string; userName: string }> {
  const email = `fuzz-${name.toLowerCase()}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = "fuzz password, long enough";
  await trpc({ baseURL, cookie: "", clientIp }, "auth.register", { email, password, name }, "mutation");
  const signedIn = await signIn(baseURL, email, password, clientIp);
  if (!signedIn) throw new Error(`could not sign in as ${email}`);
  return { baseURL, clientIp, email, userName: name, ...signedIn };
}

/** An answer to one call of a request: its data, or the error code it got. */
export type CallResult = { data?: Record<string, unknown>; code?: string; httpStatus?: number };

export type Outcome = {
  request: FuzzRequest;
  method: string;
  url: string;
  body: string | Uint8Array | undefined;
  status: number;
  text: string;
  /** Per call, when the answer is tRPC's JSON (one object, or an array for a batch). */
  results: CallResult[] | null;
  failures: string[];
  ms: number;
};

/**
 * Text that betrays the server's insides: stack frames, source paths, SQL and driver messages.
 * Reported only when the request did not carry the same text (a message may echo its content).
 */
const LEAKS: [string, RegExp][] = [
  ["a stack frame", /\n\s+at \S|\bat (?:async )?[\w$.<>[\]]+ \((?:\/|file:|node:|webpack)/],
  ["a source path", /\/work\/|node_modules|webpack-internal|\.next\/server|file:\/\/\//],
  ["a source file and line", /\.(?:ts|tsx|js|mjs|cjs):\d+:\d+/],
  ["a database message", /invalid byte sequence|violates (?:unique|foreign key|check)|syntax error at or near|PrismaClient|prisma\.\w+\.\w+\(|DriverAdapterError|pglite/i],
  ['a "stack" field', /"stack"\s*:/],
];

const decoder = new TextDecoder();
const asText = (body: string | Uint8Array | undefined) => (body === undefined ? "" : typeof body === "string" ? body : decoder.decode(body));

/**
 * Reads an answer; an event stream only until its first two events or for half a second, since a
 * subscription never ends by itself (an error it meets at the start comes first).
 */
async function readAnswer(response: Response): Promise<string> {
  if (!response.headers.get("content-type")?.includes("text/event-stream")) return response.text();
  const reader = response.body!.getReader();
  const chunks: string[] = [];
  const deadline = Date.now() + 500;
  let size = 0;
  try {
    // The leading `retry:` field (how soon to reconnect) is no event.
    while (Date.now() < deadline && size < 16_384 && chunks.join("").replace(/^retry: \d+\n\n/, "").split("\n\n").length < 3) {
      const next = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(() => resolve(null), Math.max(1, deadline - Date.now())))]);
      if (!next || next.done) break;
      size += next.value.byteLength;
      chunks.push(decoder.decode(next.value, { stream: true }));
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return chunks.join("");
}

function parseResults(text: string): CallResult[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  return items.map((item) => {
    const shape = item as { result?: { data?: { json?: Record<string, unknown> } }; error?: { json?: { data?: { code?: string; httpStatus?: number } } } };
    if (shape?.result) return { data: shape.result.data?.json };
    return { code: shape?.error?.json?.data?.code, httpStatus: shape?.error?.json?.data?.httpStatus };
  });
}

/** Sends one fuzzed request and judges the answer: no 5xx, no internal error inside a 200 or a batch, no leak. */
export async function send(target: Target, request: FuzzRequest, pools: Pools): Promise<Outcome> {
  const url = request.url(pools);
  const rawBody = request.body?.(pools);
  const body = typeof rawBody === "string" ? rawBody.replaceAll("{csrf}", encodeURIComponent(target.csrfToken)) : rawBody;
  const cookie = request.cookie ?? (request.signedOut ? target.cookie.split("; ").filter((c) => !c.includes("session-token")).join("; ") : target.cookie);
  const started = performance.now();
  const outcome: Outcome = { request, method: request.method, url, body, status: 0, text: "", results: null, failures: [], ms: 0 };
  try {
    const response = await fetch(`${target.baseURL}${url}`, {
      method: request.method,
      redirect: "manual",
      headers: { ...request.headers, cookie, "x-forwarded-for": target.clientIp },
      body: request.method === "GET" || request.method === "HEAD" ? undefined : (body as BodyInit | undefined),
      signal: AbortSignal.timeout(60_000),
    });
    outcome.status = response.status;
    outcome.text = await readAnswer(response);
  } catch (error) {
    const cause = String((error as Error).cause ?? "");
    // A server refuses a body over its limit, or a request line over Node's header limit, before
    // reading all of it and closes the connection while the client is still writing: that is a
    // refusal, not a failure to answer.
    const bodySize = body === undefined ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    const oversized = bodySize > MAX_BODY_BYTES || url.length > NODE_MAX_HEADER_BYTES;
    if (oversized && /ECONNRESET|EPIPE/.test(cause)) outcome.status = -1;
    else outcome.failures.push(`no answer: ${(error as Error).message}${cause ? ` (${cause})` : ""}`);
  }
  outcome.ms = performance.now() - started;
  outcome.results = parseResults(outcome.text);
  outcome.results?.forEach((result, index) => {
    if ((result.httpStatus ?? 0) >= 500 || result.code === "INTERNAL_SERVER_ERROR") outcome.failures.push(`call ${index} (${request.calls[index]?.path ?? "?"}): ${result.code} ${result.httpStatus}`);
  });
  // A 5xx whose calls said nothing of it (a batch's status follows its calls').
  if (outcome.status >= 500 && outcome.failures.length === 0) outcome.failures.push(`HTTP ${outcome.status}`);
  // Streams (JSON Lines, SSE) carry errors inside a 200.
  if (!outcome.results && /INTERNAL_SERVER_ERROR|"httpStatus":5\d\d/.test(outcome.text)) outcome.failures.push("an internal error inside the stream");
  const sent = `${url}\n${asText(body)}\n${decodeURIComponentSafe(url)}`;
  for (const [what, pattern] of LEAKS) {
    if (pattern.test(outcome.text) && !pattern.test(sent)) outcome.failures.push(`the answer carries ${what}: ${excerpt(outcome.text, pattern)}`);
  }
  return outcome;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function excerpt(text: string, pattern: RegExp): string {
  const at = text.search(pattern);
  return JSON.stringify(text.slice(Math.max(0, at - 60), at + 100));
}
