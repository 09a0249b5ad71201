/**
 * readRows, the hot reads' path past Prisma: the same rows as $queryRaw for the same statement
 * (timestamps as the same UTC instants, ints as numbers, enums as strings, nulls), with a Date
 * parameter bound the way Prisma binds it; and its timestamp parser against Date's own.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@/generated/prisma/client";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, createBot, createUser } from "@/test/fixtures";
import { parseUtcTimestamp, readRows } from "./db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await t?.close();
});

describe("readRows", () => {
  it("answers what $queryRaw answers, a Date parameter included", async () => {
    const user = await createUser(t.db);
    const bot = await createBot(t.db);
    const caller = callerFor(t.db, user);
    const { session } = await caller.chat.createSession({ botId: bot.id });
    await caller.chat.sendMessage({ sessionId: session.id, content: "first" });
    await caller.chat.sendMessage({ sessionId: session.id, content: "second" });
    const statement = (since: Date) => Prisma.sql`
      SELECT m.id, m.seq, m.status, m."replyToId", m."createdAt", s."lastActiveAt", s."closedAt", s."messageCount"
      FROM "Message" m JOIN "ChatSession" s ON s.id = m."sessionId"
      WHERE m."sessionId" = ${session.id} AND m."createdAt" >= ${since}::timestamp ORDER BY m.seq`;
    const since = new Date(Date.now() - 60 * 60_000);
    const viaPrisma = await t.db.$queryRaw<Record<string, unknown>[]>(statement(since));
    const direct = await readRows<Record<string, unknown>>(t.db, statement(since));
    expect(direct).toHaveLength(2);
    expect(direct).toEqual(viaPrisma);
    expect(direct[0]!.createdAt).toBeInstanceOf(Date);
    expect(typeof direct[0]!.seq).toBe("number");
    // A bound Date is that instant: a bound time past every row finds none.
    expect(await readRows(t.db, statement(new Date(Date.now() + 60 * 60_000)))).toEqual([]);
  });
});

describe("parseUtcTimestamp", () => {
  const text = (d: Date, digits: number) => {
    const iso = d.toISOString(); // 2026-12-03T20:16:28.967Z
    const fraction = iso.slice(20, 20 + digits).replace(/0+$/, "");
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ""}`;
  };

  it("reads PostgreSQL's timestamp text as the UTC instant, any year from 1 to 9999", () => {
    fc.assert(fc.property(fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true }), fc.integer({ min: 0, max: 3 }), (d, digits) => {
      const written = text(d, digits);
      const expected = new Date(`${written.replace(" ", "T")}Z`);
      expect(parseUtcTimestamp(written).getTime()).toBe(expected.getTime());
    }), { numRuns: 5000 });
  });

  it("keeps milliseconds of microsecond text, and leaves odd values to pg's own parser", () => {
    expect(parseUtcTimestamp("2026-12-03 20:16:28.123456").toISOString()).toBe("2026-12-03T20:16:28.123Z");
    expect(parseUtcTimestamp("infinity")).toBe(Infinity);
  });
});
