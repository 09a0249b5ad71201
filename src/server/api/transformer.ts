import superjson, { type SuperJSONResult } from "superjson";

/**
 * The API's transformer: superjson's wire format both ways, with the output side written by a
 * single pass that only knows JSON values and Dates, which is all this API returns. It yields the
 * very same result as superjson.serialize at a fraction of its cost (a page of 50 messages: about
 * 40 µs instead of 450 µs, a fifth of the whole request's CPU once Next is out of the way; see
 * bench/README.md); anything else (undefined, NaN, a Map, a key with a dot, an object reached
 * twice) goes to superjson itself. transformer.test.ts holds the two to the same output, and
 * package.json pins superjson to the exact version whose format this writes.
 */
const FALLBACK = Symbol("fallback");
// superjson refuses these (prototype pollution); the fallback lets it say so.
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);
// Keys already found plain (no dot, no backslash, not empty or unsafe): an answer repeats the same
// few dozen field names in every row, so each is checked once, not once per row.
const PLAIN_KEYS = new Set<string>();
const MAX_PLAIN_KEYS = 1_000;

export function serializeOutput(value: unknown): SuperJSONResult {
  if (value === null || typeof value !== "object" || value instanceof Date) return superjson.serialize(value);
  let dates: Record<string, ["Date"]> | null = null;
  const seen = new Set<object>();

  /** A JSON copy of an object or array whose superjson path is `path` ("a.0.b"), or FALLBACK. */
  function walk(node: object, path: string): unknown {
    if (seen.has(node)) return FALLBACK;
    seen.add(node);
    if (node instanceof Date) {
      if (Number.isNaN(node.getTime())) return FALLBACK;
      (dates ??= {})[path] = ["Date"];
      return isoString(node);
    }
    const prefix = path === "" ? "" : `${path}.`;
    if (Array.isArray(node)) {
      const out = new Array<unknown>(node.length);
      for (let i = 0; i < node.length; i++) {
        const item = leaf(node[i]);
        out[i] = item === OBJECT ? walk(node[i] as object, prefix + i) : item;
        if (out[i] === FALLBACK) return FALLBACK;
      }
      return out;
    }
    const proto = Object.getPrototypeOf(node);
    if (proto !== Object.prototype && proto !== null) return FALLBACK;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(node)) {
      if (!PLAIN_KEYS.has(key)) {
        if (key === "" || key.includes(".") || key.includes("\\") || UNSAFE_KEYS.has(key)) return FALLBACK;
        if (PLAIN_KEYS.size < MAX_PLAIN_KEYS) PLAIN_KEYS.add(key);
      }
      const child = (node as Record<string, unknown>)[key];
      const item = leaf(child);
      out[key] = item === OBJECT ? walk(child as object, prefix + key) : item;
      if (out[key] === FALLBACK) return FALLBACK;
    }
    return out;
  }

  const json = walk(value, "");
  if (json === FALLBACK) return superjson.serialize(value);
  return dates ? ({ json, meta: { values: dates, v: 1 } } as SuperJSONResult) : ({ json } as SuperJSONResult);
}

const OBJECT = Symbol("object");

/** A JSON leaf as itself; OBJECT for an object or array to walk; FALLBACK for what plain JSON cannot say. */
function leaf(node: unknown): unknown {
  if (node === null || typeof node === "string" || typeof node === "boolean") return node;
  if (typeof node === "number") return Number.isFinite(node) && !Object.is(node, -0) ? node : FALLBACK;
  return typeof node === "object" ? OBJECT : FALLBACK;
}

/**
 * Date.prototype.toISOString, for the years 1970–9999 every stored time falls in, at a tenth of its
 * cost (it was a third of the serializer's time: a page carries 100 dates). Rows of a page are
 * mostly from one day, so the day's text is kept; the time of day is arithmetic. Other years go to
 * toISOString itself. transformer.test.ts compares the two over the whole range.
 */
let lastDay = -1;
let lastDayText = "";
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

export function isoString(date: Date): string {
  const time = date.getTime();
  if (!(time >= 0 && time < 253_402_300_800_000)) return date.toISOString();
  const day = Math.floor(time / 86_400_000);
  if (day !== lastDay) {
    lastDayText = date.toISOString().slice(0, 11);
    lastDay = day;
  }
  const ms = time - day * 86_400_000;
  const seconds = Math.floor(ms / 1000);
  const millis = ms - seconds * 1000;
  return `${lastDayText}${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}.${millis < 10 ? "00" : millis < 100 ? "0" : ""}${millis}Z`;
}

export const transformer = {
  input: superjson,
  output: { serialize: serializeOutput, deserialize: superjson.deserialize.bind(superjson) },
};
