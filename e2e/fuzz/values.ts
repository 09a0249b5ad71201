/**
 * Values for the HTTP fuzzer: fast-check arbitraries for each field of a procedure's input, derived
 * from the JSON Schema of its Zod input schema (`z.toJSONSchema`), mixed with hostile values.
 *
 * Why not a library: zod-fast-check supports Zod 3 and fast-check 3 only, @traversable/zod-test is
 * not on the registry here, zocker only makes valid values with faker (nothing hostile, no fast-check
 * seed), json-schema-fast-check is built on fast-check 1. The JSON Schema is Zod's public output, so
 * this file reads no Zod internals.
 */
import fc from "fast-check";

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
};

/** JSON text sent verbatim: numbers JSON.stringify cannot write, nesting deeper than it recurses. */
export class Raw {
  constructor(readonly text: string) {}
}

/** An id picked, when the request is sent, from the ids the fuzzer has seen exist. */
export class Ref {
  constructor(
    readonly pool: PoolName,
    readonly pick: number,
  ) {}
}
export type PoolName = "session" | "message" | "bot" | "cursor" | "any";

/** Fields that name things that exist: a valid value is one of those, not a random string. */
const REFERENCES: Record<string, PoolName> = {
  sessionId: "session",
  botId: "bot",
  replyTo: "message",
  before: "message",
  messageId: "message",
  cursor: "cursor",
};
const poolOf = (field: string): PoolName | undefined => REFERENCES[field] ?? (/Id$/.test(field) ? "any" : undefined);

/** Characters a database or a text pipeline may refuse, mangle or misread. */
export const HOSTILE_CHARACTERS = [
  "\u0000", "\ud800", "\udbff", "\udc00", "\udfff", "\u0001", "\u001b", "\u007f", "\u0085",
  "\u202e", "\u202d", "\u2066", "\u200f", "\u200b", "\ufeff", "\u2028", "\u2029", "\ufffe", "\uffff",
  "\ufffd", "\u0301", "\u{10ffff}", "\u{1f600}", "\r", "\n", "\t", "\\", "'", '"', "%", "İ", "ß",
];

const repeat = (text: string, n: number) => text.repeat(n);

/** Whole strings, each a known way to break a naive server. */
export const HOSTILE_STRINGS = [
  "", " ", "\u0000", repeat("\u0000", 64), "a\u0000b", "%00", "%00%00", "\\0", "\\u0000", "\\x00",
  "\ud800", "\udc00", "\udc00\ud800", "a\ud800", "\ud83d", "\u202eevil\u202c", "\u00a0\u3000\u2003",
  "' OR '1'='1", "'; DROP TABLE \"Message\"; --", "\") OR 1=1 --", "$1", "$$x$$", "E'\\\\x00'", "%s%n%x",
  "null", "undefined", "NaN", "true", "[]", "{}", "__proto__", "constructor", "prototype", "toString",
  "<script>alert(1)</script>", "${7*7}", "{{7*7}}", "../../etc/passwd", "C:\\Windows", "\r\n\r\nX-Evil: 1",
  "%FF", "%C0%80", "%E0%80%AF", "\u{1f469}\u200d\u{1f469}\u200d\u{1f467}", "İSTANBUL@EXAMPLE.COM",
  " alice@example.com ", "ALICE@EXAMPLE.COM", "a@b.c\u0000", "x\u0000@example.com",
  repeat("x", 63), repeat("x", 64), repeat("x", 65), repeat("x", 100), repeat("x", 101), repeat("x", 200),
  repeat("x", 201), repeat("x", 10_000), repeat("x", 10_001), `${repeat(" ", 10_001)}x`,
  repeat("é", 5_001), repeat("\u{1f600}", 5_001), repeat("\u0301", 10_000),
];

/** Strings large enough to hit the body limit or the URL limit; rare, they cost bandwidth. */
export const HUGE_STRINGS = [repeat("x", 100_000), repeat("\u0000", 100_000), repeat("x", 1_048_577)];

/** Numbers at and beyond what JSON, JavaScript and PostgreSQL agree on, as JSON text. */
export const HUGE_NUMBERS = [
  "1e999", "-1e999", "1e308", "-1e308", "5e-324", "2e-400", "123456789012345678901234567890",
  "9007199254740993", "-9007199254740993", "2147483648", "-2147483649", "-0", "0e0", "1E2", "20.0",
  "20.000000000000001", "0.1e1",
].map((text) => new Raw(text));

const nested = (open: string, inner: string, close: string, depth: number) => new Raw(open.repeat(depth) + inner + close.repeat(depth));
export const DEEP_VALUES = [
  nested("[", "", "]", 64),
  nested("[", "", "]", 5_000),
  nested("[", "", "]", 200_000),
  nested('{"a":', "1", "}", 2_000),
  nested('{"a":', "1", "}", 60_000),
  new Raw(`[${"0,".repeat(99_999)}0]`),
  new Raw(`{${Array.from({ length: 5_000 }, (_, i) => `"k${i}":${i}`).join(",")}}`),
];

export const WRONG_TYPES: unknown[] = [0, -1, 1, 1.5, true, false, null, [], {}, [""], ["a", "b"], { a: "b" }, [null], [[[]]]];

/** Keys a strict object must refuse, some of them dangerous to a naive merge. */
export const EXTRA_KEYS = ["admin", "userId", "status", "senderType", "__proto__", "constructor", "toString", "\u0000", "", "\ud800", repeat("k", 1_000)];

/** What a field gets: mostly a valid value, so the other fields reach the database. */
export type FieldKind = "valid" | "hostile" | "wrong-type" | "huge-number" | "deep" | "huge-string";

function validString(schema: JsonSchema, field: string): fc.Arbitrary<unknown> {
  if (field === "email" || schema.format === "email") {
    return fc.oneof(
      fc.emailAddress().filter((email) => email.length <= (schema.maxLength ?? 254)),
      // {run} becomes the run's own tag when sent, so a rerun on the same server meets no old user.
      fc.nat().map((n) => `fuzz-${n}@{run}.example.com`),
    );
  }
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? 200;
  const short = Math.min(maxLength, Math.max(minLength, 40));
  return fc.oneof(
    { arbitrary: fc.string({ minLength, maxLength: short }), weight: 6 },
    { arbitrary: fc.string({ minLength, maxLength: short, unit: "grapheme" }), weight: 3 },
    { arbitrary: fc.constant("x".repeat(maxLength)), weight: 1 },
  );
}

/** A value that satisfies the schema as JSON Schema sees it (Zod's refinements may still refuse it). */
export function validValue(schema: JsonSchema, field = ""): fc.Arbitrary<unknown> {
  const pool = poolOf(field);
  if (pool) return fc.nat().map((pick) => new Ref(pool, pick));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return fc.oneof(...options.map((option) => validValue(option, field)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return validString(schema, field);
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000 });
    case "number":
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(validValue(schema.items ?? {}), { maxLength: 5 });
    case "object":
      return validObject(schema);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function validObject(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(properties).map(([name, property]) =>
    required.has(name)
      ? validValue(property, name).map((value) => [name, value] as const)
      : fc.option(validValue(property, name).map((value) => [name, value] as const), { nil: undefined, freq: 2 }),
  );
  return fc.tuple(...fields).map((entries) => Object.fromEntries(entries.filter((entry) => entry !== undefined)));
}

export function hostileString(): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 3 },
    // One hostile character somewhere inside otherwise ordinary text.
    {
      arbitrary: fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...HOSTILE_CHARACTERS), fc.string({ maxLength: 20 })).map(([a, c, b]) => a + c + b),
      weight: 3,
    },
  );
}

/**
 * An opaque token (a cursor) that decodes as the server's own do (base64url of a JSON array) but
 * carries hostile text inside: what the schema sees is clean, what the server decodes is not.
 */
function forgedToken(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom<unknown>(new Date(0).toISOString(), "2026-01-01T00:00:00.000Z", "not a date", 0, null), hostileString())
    .map((parts) => Buffer.from(JSON.stringify(parts)).toString("base64url"));
}

/** A value for one field, and what kind of value it is. */
export function fieldValue(schema: JsonSchema, field: string, kind?: FieldKind): fc.Arbitrary<{ value: unknown; kind: FieldKind }> {
  const of = (k: FieldKind, arbitrary: fc.Arbitrary<unknown>) => arbitrary.map((value) => ({ value, kind: k }));
  const byKind: Record<FieldKind, fc.Arbitrary<{ value: unknown; kind: FieldKind }>> = {
    valid: of("valid", validValue(schema, field)),
    hostile: of("hostile", poolOf(field) === "cursor" ? fc.oneof(hostileString(), forgedToken()) : hostileString()),
    "wrong-type": of("wrong-type", fc.constantFrom(...WRONG_TYPES)),
    "huge-number": of("huge-number", fc.constantFrom(...HUGE_NUMBERS)),
    deep: of("deep", fc.constantFrom(...DEEP_VALUES)),
    "huge-string": of("huge-string", fc.constantFrom(...HUGE_STRINGS)),
  };
  if (kind) return byKind[kind];
  return fc.oneof(
    { arbitrary: byKind.hostile, weight: 12 },
    { arbitrary: byKind["wrong-type"], weight: 3 },
    { arbitrary: byKind["huge-number"], weight: 2 },
    { arbitrary: byKind.deep, weight: 1 },
    { arbitrary: byKind["huge-string"], weight: 1 },
  );
}

/** Whole inputs that are not the object a procedure takes. */
export const JUNK_INPUTS: unknown[] = [
  null, "abc", "\u0000", 42, true, [], [1, 2], {}, new Raw('{"__proto__":{"admin":true}}'),
  new Raw('{"sessionId":"a","sessionId":"b"}'), ...HUGE_NUMBERS.slice(0, 3), ...DEEP_VALUES.slice(0, 4),
];

/** An input, the field it is wrong in ("(input)" when not an object), and how it is wrong. */
export type GeneratedInput = { input: unknown; field: string; kind: string };

/**
 * An input for a procedure: usually valid but for one field (so a failure names the field), at
 * times wrong in every field, valid throughout, or not an object at all.
 */
export function inputFor(schema: JsonSchema | undefined): fc.Arbitrary<GeneratedInput> {
  const junk = fc.constantFrom(...JUNK_INPUTS).map((input) => ({ input, field: "(input)", kind: classify(input) }));
  if (!schema) return fc.oneof(fc.constant({ input: undefined, field: "(input)", kind: "none" }), junk);
  const properties = Object.entries(schema.properties ?? {});
  if (schema.type !== "object" || properties.length === 0) {
    return fc.oneof(
      validValue(schema).map((input) => ({ input, field: "(input)", kind: "valid" })),
      fieldValue(schema, "").map(({ value }) => ({ input: value, field: "(input)", kind: classify(value) })),
      junk,
    );
  }
  const base = validObject(schema);
  const oneField = fc.constantFrom(...properties).chain(([name, property]) =>
    fc.tuple(base, fieldValue(property, name)).map(([object, { value }]) => ({ input: { ...object, [name]: value }, field: name, kind: classify(value) })),
  );
  const extraKey = fc.tuple(base, fc.constantFrom(...EXTRA_KEYS), fc.constantFrom<unknown>(true, "x", { admin: true })).map(([object, key, value]) => {
    const input: Record<string, unknown> = { ...object };
    // defineProperty, so "__proto__" becomes a key of its own as JSON.parse would make it.
    Object.defineProperty(input, key, { value, enumerable: true, configurable: true, writable: true });
    return { input, field: "(extra key)", kind: classify(key) };
  });
  const everyField = fc
    .tuple(...properties.map(([name, property]) => fc.option(fieldValue(property, name).map(({ value }) => [name, value] as const), { nil: undefined, freq: 4 })))
    .map((entries) => {
      const present = entries.filter((entry) => entry !== undefined);
      // Named after its worst value, so a failure says what to look for.
      const kinds = present.map(([, value]) => classify(value));
      const kind = ["NUL", "lone surrogate"].find((k) => kinds.includes(k)) ?? "mixed";
      return { input: Object.fromEntries(present), field: "(every field)", kind };
    });
  return fc.oneof(
    { arbitrary: oneField, weight: 12 },
    { arbitrary: base.map((input) => ({ input, field: "(none)", kind: "valid" })), weight: 3 },
    { arbitrary: everyField, weight: 2 },
    { arbitrary: extraKey, weight: 1 },
    { arbitrary: junk, weight: 1 },
  );
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What makes a value hostile, in a few words, for grouping failures in the report. */
export function classify(value: unknown): string {
  if (value instanceof Raw) {
    if (/^[[{]/.test(value.text)) return value.text.length > 10_000 ? "deep or wide JSON" : "nested JSON";
    return "huge or odd number";
  }
  if (value instanceof Ref) return `a ${value.pool} id`;
  if (typeof value === "string") {
    if (value.includes("\u0000")) return "NUL";
    if (LONE_SURROGATE.test(value)) return "lone surrogate";
    if (value.length > 10_001) return "huge string";
    return "other text";
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
