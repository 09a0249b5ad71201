/**
 * The fuzzer's HTTP requests to /api/trpc and /api/auth: procedure calls with generated inputs
 * (single and batched, GET and POST), malformed superjson envelopes, broken batch paths, odd
 * methods, content types and bodies, paths that are not valid UTF-8, and NextAuth's sign-in form.
 * A request is generated as data (fast-check, seeded) and becomes concrete HTTP only when sent,
 * when the ids it refers to are picked from what exists by then.
 */
import fc from "fast-check";
import { classify, HOSTILE_STRINGS, inputFor, Raw, Ref, type GeneratedInput, type JsonSchema, type PoolName } from "./values";

export type Procedure = { path: string; type: "query" | "mutation" | "subscription"; schema: JsonSchema | undefined };

/**
 * One procedure call inside a request, and what the report calls it. `exact` when the server gets
 * `input` as it is (not through a lying envelope), so an answer can be compared with it.
 */
export type Call = { path: string; input: unknown; field: string; kind: string; exact?: boolean };

export type FuzzRequest = {
  /** How the request is malformed, for the report ("call", "batch", "envelope: …", "path: …"). */
  shape: string;
  method: string;
  /** Path and query, percent-encoded as sent. */
  url: (pools: Pools) => string;
  headers?: Record<string, string>;
  body?: (pools: Pools) => string | Uint8Array | undefined;
  /** The calls the URL names, in batch order; one for a request that names none. */
  calls: Call[];
  signedOut?: boolean;
  cookie?: string;
};

/** Ids that exist, collected from the fuzzer's own setup and from answers along the way. */
export class Pools {
  readonly lists: Record<PoolName, string[]> = { session: [], message: [], bot: [], cursor: [], any: [] };
  constructor(readonly run: string) {}
  /** Text as sent: `{run}` replaced by this run's tag. */
  text(value: string): string {
    return value.includes("{run}") ? value.replaceAll("{run}", this.run) : value;
  }
  add(pool: Exclude<PoolName, "any">, id: string) {
    this.lists[pool].push(id);
    this.lists.any.push(id);
  }
  pick(ref: Ref): string {
    const list = this.lists[ref.pool];
    return list.length ? list[ref.pick % list.length]! : "no-such-id";
  }
}

/** The value with every Ref replaced by an id from the pools. */
export function materialize(value: unknown, pools: Pools): unknown {
  if (value instanceof Ref) return pools.pick(value);
  if (typeof value === "string") return pools.text(value);
  if (value instanceof Raw || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => materialize(item, pools));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    Object.defineProperty(out, key, { value: materialize((value as Record<string, unknown>)[key], pools), enumerable: true, configurable: true, writable: true });
  }
  return out;
}

const RAW_MARK = "\u0001fuzz-raw:";
/** JSON text of a value, Raw pieces written verbatim. */
export function jsonText(value: unknown): string | undefined {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) => (item instanceof Raw ? `${RAW_MARK}${raws.push(item.text) - 1}` : item));
  return text?.replace(/"\\u0001fuzz-raw:(\d+)"/g, (_, index: string) => raws[Number(index)]!);
}

/** superjson's envelope of an input, as tRPC's clients send it. */
const envelope = (input: unknown, meta?: unknown) => (meta === undefined ? { json: input } : { json: input, meta });

/** superjson meta that does not match its json: annotations of unknown kinds, paths that do not exist, cycles. */
const META_ANNOTATIONS: unknown[] = [
  ["Date"], ["regexp"], ["set"], ["map"], ["bigint"], ["number"], ["undefined"], ["symbol", "x"], ["class", "Nope"],
  ["custom", "nope"], ["Error"], ["URL"], ["nope"], [], "Date", 5, null, [["Date"], { x: ["Date"] }], ["map", { 0: ["Date"] }],
];
function metaJunk(firstKey: string): fc.Arbitrary<unknown> {
  const paths = ["", firstKey, `${firstKey}.x`, "__proto__", "__proto__.polluted", "constructor.prototype.polluted", "a.b.c", `${"a.".repeat(2_000)}a`, "0", "\u0000"];
  const values = fc.tuple(fc.constantFrom(...paths), fc.constantFrom(...META_ANNOTATIONS)).map(([path, annotation]) => {
    const values: Record<string, unknown> = {};
    Object.defineProperty(values, path, { value: annotation, enumerable: true });
    return { values, v: 1 };
  });
  const equalities = fc.constantFrom<unknown>(
    { referentialEqualities: { "": [firstKey] } },
    { referentialEqualities: { [firstKey]: ["", "x"] } },
    { referentialEqualities: { [firstKey]: [firstKey] } },
    { referentialEqualities: ["x"] },
    { referentialEqualities: "x" },
  );
  const odd = fc.constantFrom<unknown>(5, "x", null, [], { values: "x" }, { values: null }, { values: [] }, { values: ["Date"] }, { v: 999 }, { values: { [firstKey]: ["Date"] }, v: "x" });
  return fc.oneof({ arbitrary: values, weight: 4 }, { arbitrary: equalities, weight: 2 }, { arbitrary: odd, weight: 2 });
}

/**
 * Percent-encoding that does not throw on a lone surrogate (encodeURIComponent does): its three
 * bytes as WTF-8 would write them, which is not UTF-8, as a hostile client would send.
 */
export function percentEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // URIError: the text has a lone surrogate.
  }
  return text.replace(/[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]|[^]/g, (unit) => {
    if (unit.length === 2 || !/[\ud800-\udfff]/.test(unit)) return encodeURIComponent(unit);
    const code = unit.charCodeAt(0);
    return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((byte) => `%${byte.toString(16).toUpperCase()}`).join("");
  });
}

const queryString = (params: Record<string, string | undefined>) =>
  Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${percentEncode(value)}`)
    .join("&");

/** The method a procedure kind is called with over HTTP (tRPC: GET for queries and subscriptions). */
const methodOf = (procedure: Procedure) => (procedure.type === "mutation" ? "POST" : "GET");

function sseHeaders(procedure: Procedure): Record<string, string> | undefined {
  return procedure.type === "subscription" ? { accept: "text/event-stream" } : undefined;
}

/** A request carrying calls the usual way: one call, or a batch of calls of one kind. */
function callRequest(procedures: Procedure[], inputs: Map<string, fc.Arbitrary<GeneratedInput>>): fc.Arbitrary<FuzzRequest> {
  const call = (procedure: Procedure) => inputs.get(procedure.path)!.map((generated): Call => ({ path: procedure.path, ...generated, exact: true }));
  const single = fc.constantFrom(...procedures).chain((procedure) =>
    fc.tuple(call(procedure), fc.integer({ min: 0, max: 19 })).map(([c, dice]): FuzzRequest => {
      // One time in twenty the other method: a query by POST, a mutation by GET (405, never a 500).
      const method = dice === 0 ? (methodOf(procedure) === "GET" ? "POST" : "GET") : methodOf(procedure);
      const payload = (pools: Pools) => jsonText(envelope(materialize(c.input, pools)));
      return {
        shape: method === methodOf(procedure) ? "call" : "call by the wrong method",
        method,
        calls: [c],
        headers: { ...sseHeaders(procedure), ...(method === "POST" ? { "content-type": "application/json" } : {}) },
        url: (pools) => {
          const json = method === "GET" ? payload(pools) : undefined;
          return `/api/trpc/${c.path}${json !== undefined ? `?${queryString({ input: json })}` : ""}`;
        },
        body: method === "POST" ? payload : undefined,
      };
    }),
  );
  const batchable = (["query", "mutation"] as const).map((type) => procedures.filter((p) => p.type === type)).filter((group) => group.length > 0);
  const batch = fc.constantFrom(...batchable).chain((group) =>
    fc.array(fc.constantFrom(...group).chain(call), { minLength: 2, maxLength: 50 }).map((calls): FuzzRequest => {
      const method = methodOf(group[0]!);
      const inputsJson = (pools: Pools) => jsonText(Object.fromEntries(calls.map((c, i) => [i, envelope(materialize(c.input, pools))])))!;
      return {
        shape: "batch",
        method,
        calls,
        headers: method === "POST" ? { "content-type": "application/json" } : undefined,
        url: (pools) => `/api/trpc/${calls.map((c) => c.path).join(",")}?${queryString({ batch: "1", input: method === "GET" ? inputsJson(pools) : undefined })}`,
        body: method === "POST" ? inputsJson : undefined,
      };
    }),
  );
  return fc.oneof({ arbitrary: single, weight: 3 }, { arbitrary: batch, weight: 2 });
}

/** One call whose superjson envelope is malformed: no envelope at all, or meta that lies. */
function envelopeRequest(procedures: Procedure[], inputs: Map<string, fc.Arbitrary<GeneratedInput>>): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...procedures).chain((procedure) =>
    inputs.get(procedure.path)!.chain((generated) => {
      const firstKey = Object.keys(procedure.schema?.properties ?? { a: 1 })[0] ?? "a";
      return fc
        .oneof(
          { arbitrary: fc.constant({ bare: true, meta: undefined as unknown }), weight: 1 },
          { arbitrary: metaJunk(firstKey).map((meta) => ({ bare: false, meta })), weight: 5 },
        )
        .chain(({ bare, meta }) =>
          fc.boolean().map((batched): FuzzRequest => {
            const method = methodOf(procedure);
            const wrapped = (pools: Pools) => {
              const input = materialize(generated.input, pools);
              return bare ? input : envelope(input, meta);
            };
            const payload = (pools: Pools) => jsonText(batched ? { 0: wrapped(pools) } : wrapped(pools));
            return {
              shape: bare ? "envelope: none" : "envelope: junk meta",
              method,
              calls: [{ path: procedure.path, ...generated, kind: `${generated.kind}, ${bare ? "no envelope" : `meta ${JSON.stringify(meta).slice(0, 40)}`}` }],
              headers: { ...sseHeaders(procedure), ...(method === "POST" ? { "content-type": "application/json" } : {}) },
              url: (pools) => {
                const query = method === "GET" ? payload(pools) : undefined;
                return `/api/trpc/${procedure.path}?${queryString({ batch: batched ? "1" : undefined, input: query })}`;
              },
              body: method === "POST" ? payload : undefined,
            };
          }),
        );
    }),
  );
}

/** Batch paths that are not a list of procedures: empty parts, unknown names, too many, repeated. */
function brokenPathRequest(procedures: Procedure[]): fc.Arbitrary<FuzzRequest> {
  const names = procedures.map((p) => p.path);
  const pathOf = fc.constantFrom(...names);
  const broken = fc.oneof(
    pathOf.map((p) => `${p},,nope`),
    pathOf.map((p) => `${p},`),
    pathOf.map((p) => `,${p}`),
    pathOf.map((p) => `${p}.`),
    pathOf.map((p) => `.${p}`),
    pathOf.map((p) => `${p}.extra`),
    pathOf.map((p) => `${p}%00`),
    pathOf.map((p) => `${p}%2C${p}`),
    pathOf.map((p) => `${p}/${p}`),
    pathOf.map((p) => Array.from({ length: 51 }, () => p).join(",")),
    pathOf.map((p) => Array.from({ length: 1_000 }, () => p).join(",")),
    fc.array(pathOf, { minLength: 2, maxLength: 50 }).map((paths) => paths.join(",")),
    fc.constantFrom("nope", "nope.nope", "chat", "chat.", "__proto__", "constructor", "toString", "hasOwnProperty", "chat.__proto__", "chat.constructor", "auth.register.__proto__", "%00", "x".repeat(5_000), "..%2F..%2Fetc", "chat.getSession;drop"),
  );
  return fc.tuple(broken, fc.boolean(), fc.constantFrom("GET", "POST")).map(([paths, batched, method]): FuzzRequest => {
    const count = paths.split(",").length;
    const inputs = jsonText(Object.fromEntries(Array.from({ length: Math.min(count, 60) }, (_, i) => [i, { json: { sessionId: "x" } }])))!;
    const single = jsonText({ json: {} })!;
    return {
      shape: "batch path",
      method,
      calls: (batched ? paths.split(",") : [paths]).map((path) => ({ path: path.length > 80 ? `${path.slice(0, 80)}…` : path, input: undefined, field: "(path)", kind: `${paths.length > 60 ? `${paths.slice(0, 60)}…` : paths}` })),
      headers: method === "POST" ? { "content-type": "application/json" } : undefined,
      url: () => `/api/trpc/${paths}?${queryString({ batch: batched ? "1" : undefined, input: method === "GET" ? (batched ? inputs : single) : undefined })}`,
      body: method === "POST" ? () => (batched ? inputs : single) : undefined,
    };
  });
}

const INVALID_UTF8_BODY = Uint8Array.from([0x7b, 0x22, 0x6a, 0x73, 0x6f, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]);

/** Everything about the HTTP request but the calls: methods, content types, bodies, query parameters. */
function transportRequest(procedures: Procedure[]): fc.Arbitrary<FuzzRequest> {
  const names = procedures.map((p) => p.path);
  const bodies: (string | Uint8Array)[] = [
    "", "{", "null", "[]", '"x"', '{"0":', "\u0000", "\ufeff{}", '{"json":{}', "1e999", '{"__proto__":{"json":1}}', INVALID_UTF8_BODY,
    `{"json":${"[".repeat(100_000)}${"]".repeat(100_000)}}`, '{"0":{"json":{}},"1":{"json":{}},"99":{"json":{}}}',
  ];
  const contentTypes = [
    undefined, "text/plain", "application/json; charset=utf-16", "multipart/form-data; boundary=x", "multipart/form-data",
    "application/octet-stream", "application/x-www-form-urlencoded", "application/jsonl", "application/json\u00e9",
  ];
  const viaBody = fc.tuple(fc.constantFrom(...names), fc.constantFrom("POST", "PUT", "PATCH", "DELETE"), fc.constantFrom(...contentTypes), fc.constantFrom(...bodies), fc.boolean()).map(
    ([path, method, contentType, body, batched]): FuzzRequest => ({
      shape: `body: ${method} ${contentType ?? "(no content type)"}`,
      method,
      calls: [{ path, input: undefined, field: "(body)", kind: typeof body === "string" ? JSON.stringify(body.slice(0, 24)) : "invalid UTF-8" }],
      headers: contentType === undefined ? undefined : { "content-type": contentType },
      url: () => `/api/trpc/${path}${batched ? "?batch=1" : ""}`,
      body: () => body,
    }),
  );
  const queries = [
    "input=%FF", "input=%", "input=", "input=null", "input=%7B%22json%22%3A", "batch=1&input=%5B%5D", "batch=1&input=%22x%22", "batch=1",
    "batch=true&input=%7B%7D", "connectionParams=%7B", "connectionParams=%5B%5D", "connectionParams=%7B%22a%22%3A1%7D", "input=%7B%7D&input=%5B%5D",
    `input=${"%7B%22a%22%3A".repeat(3_000)}`, "input=%00", "input=%7B%22json%22%3A%22%00%22%7D", "input=%7B%22json%22%3A%22%5Cud800%22%7D",
    "batch=1&input=%7B%220%22%3A%7B%22json%22%3Anull%7D%2C%2250%22%3A%7B%7D%7D", "lastEventId=%00", "Last-Event-Id=x",
  ];
  const viaQuery = fc.tuple(fc.constantFrom(...names), fc.constantFrom(...queries), fc.constantFrom<Record<string, string> | undefined>(undefined, { "trpc-accept": "application/jsonl" }, { accept: "text/event-stream" }, { "last-event-id": "x".repeat(200) })).map(
    ([path, query, headers]): FuzzRequest => ({
      shape: "query string",
      method: "GET",
      calls: [{ path, input: undefined, field: "(query)", kind: query.length > 40 ? `${query.slice(0, 40)}…` : query }],
      headers,
      url: () => `/api/trpc/${path}?${query}`,
    }),
  );
  const streamed = fc.tuple(fc.constantFrom(...procedures), fc.string({ maxLength: 10 })).map(
    ([procedure, junk]): FuzzRequest => ({
      // httpBatchStreamLink's JSON Lines answers: an error is inside the stream, the status is 200.
      shape: "streamed batch",
      method: methodOf(procedure),
      calls: [{ path: procedure.path, input: { sessionId: junk }, field: "(stream)", kind: "jsonl" }],
      headers: { "trpc-accept": "application/jsonl", ...(methodOf(procedure) === "POST" ? { "content-type": "application/json" } : {}) },
      url: () => `/api/trpc/${procedure.path}?batch=1${methodOf(procedure) === "GET" ? `&${queryString({ input: jsonText({ 0: { json: { sessionId: `x${junk}\u0000` } } })! })}` : ""}`,
      body: methodOf(procedure) === "POST" ? () => jsonText({ 0: { json: { sessionId: `x${junk}\u0000` } } }) : undefined,
    }),
  );
  return fc.oneof({ arbitrary: viaBody, weight: 3 }, { arbitrary: viaQuery, weight: 3 }, { arbitrary: streamed, weight: 1 });
}

/** Paths whose percent-encoding is not UTF-8, or that name no route, under the API's prefixes. */
function pathRequest(procedures: Procedure[]): fc.Arbitrary<FuzzRequest> {
  const invalid = ["%FF", "%C0%80", "%C0%AF", "%ED%A0%80", "%E0%80%80", "%F4%90%80%80", "%F8%88%80%80%80", "%80", "%", "%G1", "%E2%82", "%00", "%FE%FF"];
  const prefixes = ["/api/trpc/", "/api/auth/", "/api/auth/signin/", "/api/auth/callback/", "/api/", "/chat/", "/"];
  const name = fc.constantFrom(...procedures.map((p) => p.path));
  const path = fc.oneof(
    fc.tuple(fc.constantFrom(...prefixes), fc.constantFrom(...invalid)).map(([prefix, bad]) => `${prefix}${bad}`),
    fc.tuple(name, fc.constantFrom(...invalid)).map(([p, bad]) => `/api/trpc/${p}${bad}`),
    fc.tuple(name, fc.constantFrom(...invalid)).map(([p, bad]) => `/api/trpc/${p}/${bad}`),
    fc.constantFrom("/api/trpc/", "/api/trpc", "/api/trpc//", "/api/auth/nope", "/api/auth/callback/nope", "/api/auth/signin/nope", "/api/auth/", "/api/auth//x"),
  );
  return fc.tuple(path, fc.constantFrom("GET", "POST")).map(([p, method]): FuzzRequest => ({
    shape: "path",
    method,
    calls: [{ path: p, input: undefined, field: "(path)", kind: "path" }],
    headers: method === "POST" ? { "content-type": "application/json" } : undefined,
    url: () => p,
    body: method === "POST" ? () => "{}" : undefined,
  }));
}

/**
 * NextAuth's sign-in: the credentials callback with hostile emails, passwords and callback URLs,
 * and its other endpoints with junk. The CSRF token is filled in when sent (`{csrf}`).
 */
function signInRequest(): fc.Arbitrary<FuzzRequest> {
  const text = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 20_000)), fc.emailAddress(), fc.string({ maxLength: 30 }));
  const callbackUrl = fc.constantFrom("/chat", "javascript:alert(1)", "//evil.example", "http://evil.example/", "/\u0000", "%FF", "\ud800", "/chat?x=\u202e");
  const form = fc.tuple(text, text, callbackUrl, fc.boolean()).map(([email, password, callback, withCsrf]): FuzzRequest => ({
    shape: "sign-in form",
    method: "POST",
    calls: [{ path: "auth:credentials", input: { email, password }, field: "email, password", kind: `${classify(email)} / ${classify(password)}` }],
    signedOut: true,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    url: () => "/api/auth/callback/credentials",
    body: () => new URLSearchParams({ ...(withCsrf ? { csrfToken: "{csrf}" } : {}), email, password, callbackUrl: callback, json: "true" }).toString(),
  }));
  const rawForm = fc.constantFrom("email=%FF&password=%FF&csrfToken={csrf}", "email=%00&password=%00&csrfToken={csrf}", "email=a%40b.c&password=%&csrfToken={csrf}", "%%%", "email", "").map(
    (body): FuzzRequest => ({
      shape: "sign-in raw form",
      method: "POST",
      calls: [{ path: "auth:credentials", input: body, field: "(form)", kind: body.slice(0, 30) }],
      signedOut: true,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      url: () => "/api/auth/callback/credentials",
      body: () => body,
    }),
  );
  const endpoints = fc.tuple(fc.constantFrom("/api/auth/session", "/api/auth/csrf", "/api/auth/providers", "/api/auth/signin", "/api/auth/signout", "/api/auth/error"), callbackUrl, fc.constantFrom("garbage", "a.b.c.d.e", "x".repeat(4_000), "")).map(
    ([path, callback, cookie]): FuzzRequest => ({
      shape: "auth endpoint",
      method: "GET",
      calls: [{ path, input: callback, field: "callbackUrl, cookie", kind: classify(callback) }],
      cookie: `next-auth.session-token=${cookie}; next-auth.callback-url=${percentEncode(callback)}`,
      url: () => `${path}?${queryString({ callbackUrl: callback, error: callback })}`,
    }),
  );
  return fc.oneof({ arbitrary: form, weight: 4 }, { arbitrary: rawForm, weight: 1 }, { arbitrary: endpoints, weight: 2 });
}

/** Calls made signed out or with a forged or broken session cookie: UNAUTHORIZED, never a 500. */
function cookieRequest(procedures: Procedure[], inputs: Map<string, fc.Arbitrary<GeneratedInput>>): fc.Arbitrary<FuzzRequest> {
  const cookies = ["", "next-auth.session-token=garbage", "next-auth.session-token=a.b.c.d.e", `next-auth.session-token=${"x".repeat(4_000)}`, "next-auth.session-token=", "next-auth.session-token=%FF", "__Secure-next-auth.session-token=x"];
  return fc.tuple(callRequest(procedures, inputs), fc.constantFrom(...cookies)).map(([request, cookie]) => ({ ...request, shape: `${request.shape} with a broken cookie`, cookie }));
}

/** Every kind of request, weighted so that most of the calls carry generated inputs. */
export function requestArbitrary(procedures: Procedure[]): fc.Arbitrary<FuzzRequest> {
  const inputs = new Map(procedures.map((p) => [p.path, inputFor(p.schema)]));
  return fc.oneof(
    { arbitrary: callRequest(procedures, inputs), weight: 60 },
    { arbitrary: envelopeRequest(procedures, inputs), weight: 10 },
    { arbitrary: brokenPathRequest(procedures), weight: 5 },
    { arbitrary: transportRequest(procedures), weight: 8 },
    { arbitrary: pathRequest(procedures), weight: 4 },
    { arbitrary: signInRequest(), weight: 3 },
    { arbitrary: cookieRequest(procedures, inputs), weight: 2 },
  );
}

export type { JsonSchema, PoolName };
