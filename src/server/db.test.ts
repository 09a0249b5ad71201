/**
 * queryRows, the hot paths' way past Prisma: the same rows as $queryRaw for the same statement
 * (timestamps as the same UTC instants, ints as numbers, enums as strings, nulls), with a Date
 * parameter bound the way Prisma binds it; transaction, its all-or-nothing companion (a send's
 * message and its job); and the timestamp parser against Date's own.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@/generated/prisma/client";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, createBot, createUser, userWithSession } from "@/test/fixtures";
import { constraintViolation } from "./chat/constraints";
import { parseUtcTimestamp, queryRows, transaction } from "./db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await t?.close();
});

describe("queryRows", () => {
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
    const direct = await queryRows<Record<string, unknown>>(t.db, statement(since));
    expect(direct).toHaveLength(2);
    expect(direct).toEqual(viaPrisma);
    expect(direct[0]!.createdAt).toBeInstanceOf(Date);
    expect(typeof direct[0]!.seq).toBe("number");
    // A bound Date is that instant: a bound time past every row finds none.
    expect(await queryRows(t.db, statement(new Date(Date.now() + 60 * 60_000)))).toEqual([]);
  });
});

describe("transaction", () => {
  const probe = async () => (await queryRows<{ n: number }>(t.db, Prisma.sql`SELECT count(*)::int AS n FROM tx_probe`))[0]!.n;
  const jobs = async () => (await queryRows<{ n: number }>(t.db, Prisma.sql`SELECT count(*)::int AS n FROM pgboss.job`))[0]!.n;
  beforeAll(async () => {
    await queryRows(t.db, Prisma.sql`CREATE TABLE tx_probe (id int PRIMARY KEY)`);
  });

  it("commits its statements and pg-boss's together", async () => {
    const before = await jobs();
    const answer = await transaction(t.db, async (tx) => {
      await tx.rows(Prisma.sql`INSERT INTO tx_probe VALUES (${1})`);
      await t.services.dispatcher.enqueue(tx, { dispatchId: crypto.randomUUID(), sessionId: "s-probe" });
      return (await tx.rows<{ n: number }>(Prisma.sql`SELECT count(*)::int AS n FROM tx_probe`))[0]!.n;
    });
    expect(answer).toBe(1);
    expect([await probe(), await jobs()]).toEqual([1, before + 1]);
  });

  it("rolls all of it back when its work throws, and gives the connection back to the pool", async () => {
    const [rows, jobsBefore] = [await probe(), await jobs()];
    // More attempts than the pool (2) has connections: one kept by a failed attempt would hang the rest.
    for (let i = 0; i < 4; i++) {
      await expect(transaction(t.db, async (tx) => {
        await tx.rows(Prisma.sql`INSERT INTO tx_probe VALUES (${100 + i})`);
        await t.services.dispatcher.enqueue(tx, { dispatchId: crypto.randomUUID(), sessionId: "s-probe" });
        throw new Error("changed my mind");
      })).rejects.toThrow("changed my mind");
    }
    expect([await probe(), await jobs()]).toEqual([rows, jobsBefore]);
  });

  it("fails with the database's error, which constraintViolation reads, and stores nothing", async () => {
    const rows = await probe();
    const error = await transaction(t.db, async (tx) => {
      await tx.rows(Prisma.sql`INSERT INTO tx_probe VALUES (${2})`);
      await tx.rows(Prisma.sql`INSERT INTO tx_probe VALUES (${1})`);
    }).catch((e: unknown) => e);
    expect(constraintViolation(error)).toBe("tx_probe_pkey");
    expect(await probe()).toBe(rows);
  });

  it("leaves no job behind a send that stored nothing (a closed session)", async () => {
    const { caller, session } = await userWithSession(t.db);
    await caller.chat.closeSession({ sessionId: session.id });
    const before = await jobs();
    await expect(caller.chat.sendMessage({ sessionId: session.id, content: "anyone?" })).rejects.toThrow("Session is closed");
    expect(await jobs()).toBe(before);
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
