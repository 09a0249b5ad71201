import fc from "fast-check";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { isoString, serializeOutput } from "./transformer";

/** Clients decode our output with superjson: the fast path must produce exactly what superjson would. */
describe("serializeOutput", () => {
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: "small" },
      fc.constantFrom(null, true, false, 0, -0, 1.5, Number.NaN, Infinity, undefined),
      fc.string(),
      fc.date({ noInvalidDate: false }),
      fc.array(tie("node"), { maxLength: 4 }),
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("a.b", "c\\d", "createdAt", "__proto__", "constructor")), tie("node"), { maxKeys: 4 }),
    ),
  })).node;

  const outcome = (serialize: (v: unknown) => unknown, v: unknown) => {
    try {
      return { result: serialize(v) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };

  it("equals superjson.serialize for any JSON-with-dates tree", () => {
    fc.assert(fc.property(value, (v) => {
      expect(outcome(serializeOutput, v)).toEqual(outcome((x) => superjson.serialize(x), v));
    }), { numRuns: 1000 });
  });

  it("equals superjson for a shared object, a Map, a class instance, a BigInt", () => {
    const shared = new Date(0);
    for (const v of [{ a: shared, b: shared }, { m: new Map([[1, 2]]) }, { c: new (class X { y = 1 })() }, { n: 10n }, new Date(5), "x", 3]) {
      expect(serializeOutput(v)).toEqual(superjson.serialize(v));
    }
  });

  it("round-trips a page of messages through superjson.deserialize", () => {
    const page = {
      messages: Array.from({ length: 50 }, (_, i) => ({ id: `m${i}`, seq: i + 1, content: "hi", error: null, createdAt: new Date(1_700_000_000_000 + i) })),
      hasMore: true,
      nextCursor: "m0",
    };
    const wire = JSON.parse(JSON.stringify(serializeOutput(page)));
    expect(superjson.deserialize(wire)).toEqual(page);
  });
});

describe("isoString", () => {
  it("equals Date.prototype.toISOString for any date, valid or not, in or out of its fast range", () => {
    fc.assert(fc.property(fc.date({ noInvalidDate: false }), (d) => {
      if (Number.isNaN(d.getTime())) return;
      expect(isoString(d)).toBe(d.toISOString());
    }), { numRuns: 5000 });
    fc.assert(fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (t) => {
      expect(isoString(new Date(t))).toBe(new Date(t).toISOString());
    }), { numRuns: 5000 });
    for (const t of [0, 999, 86_399_999, 86_400_000, 253_402_300_799_999, 253_402_300_800_000, -1]) {
      expect(isoString(new Date(t))).toBe(new Date(t).toISOString());
    }
  });
});
