/**
 * pg-boss's pool with its statements prepared (boss-db.ts): a statement with parameters is parsed
 * and planned once per connection and then only executed, with its answers unchanged; scripts
 * without parameters (pg-boss's migrations) still run as several statements.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { statementName } from "../db";
import { PreparedStatementsDb } from "./boss-db";

let t: TestDatabase;
let db: PreparedStatementsDb;
beforeAll(async () => {
  t = await createTestDatabase();
  // One connection, so the statements below meet on the same session.
  db = new PreparedStatementsDb({ connectionString: t.url, max: 1 });
  await db.open();
});
afterAll(async () => {
  await db?.close();
  await t?.close();
});

// In the order prepared (the embedded database's socket server prefixes each connection's names
// with its own, so names are compared by their ending).
const prepared = async () =>
  (await db.executeSql("SELECT name, statement FROM pg_prepared_statements ORDER BY prepare_time")).rows as { name: string; statement: string }[];

describe("pg-boss's statements", () => {
  it("with parameters are prepared once per connection and answer as before", async () => {
    const text = "SELECT $1::int + 1 AS n, $2::text AS s";
    expect((await db.executeSql(text, [1, "a"])).rows).toEqual([{ n: 2, s: "a" }]);
    expect((await db.executeSql(text, [41, "b"])).rows).toEqual([{ n: 42, s: "b" }]);
    const other = "SELECT $1::int * 2 AS n";
    expect((await db.executeSql(other, [21])).rows).toEqual([{ n: 42 }]);
    const statements = await prepared();
    expect(statements.map((s) => s.statement)).toEqual([text, other]);
    expect(statements[0]!.name.endsWith(statementName({ sql: text }))).toBe(true);
    expect(statements[1]!.name.endsWith(statementName({ sql: other }))).toBe(true);
  });

  it("without parameters run as a script, unprepared", async () => {
    const before = await prepared();
    await db.executeSql("CREATE TEMP TABLE boss_db_probe (n int); INSERT INTO boss_db_probe VALUES (1), (2)");
    expect((await db.executeSql("SELECT count(*)::int AS n FROM boss_db_probe")).rows).toEqual([{ n: 2 }]);
    expect(await prepared()).toEqual(before);
  });

  it("with a failing parameter fail readably and leave the connection usable", async () => {
    await expect(db.executeSql("SELECT $1::int AS n", ["not a number"])).rejects.toThrow(/invalid input syntax/);
    expect((await db.executeSql("SELECT $1::int AS n", [7])).rows).toEqual([{ n: 7 }]);
  });
});

describe("pg-boss's own connections on PostgreSQL (createBoss)", () => {
  it.runIf(process.env.TEST_DB === "postgres")("commit without waiting for the disk and plan once, while the app's and a send's stay durable", async () => {
    const { createBoss } = await import("./dispatcher");
    const { queryRows, transaction } = await import("../db");
    const { Prisma } = await import("@/generated/prisma/client");
    const boss = createBoss(t.url, { poolMax: 1, supervise: false, prepare: true, asyncCommit: true });
    await boss.start();
    try {
      const settings = "SELECT current_setting('synchronous_commit') AS commit, current_setting('plan_cache_mode') AS plans";
      expect((await boss.getDb().executeSql(settings)).rows).toEqual([{ commit: "off", plans: "force_generic_plan" }]);
      expect(await queryRows(t.db, Prisma.sql`SELECT current_setting('synchronous_commit') AS commit`)).toEqual([{ commit: "on" }]);
      // A job sent in the app's transaction commits there, durably.
      const inTx = await transaction(t.db, async (tx) => (await tx.rows<{ commit: string }>(Prisma.sql`SELECT current_setting('synchronous_commit') AS commit`))[0]);
      expect(inTx).toEqual({ commit: "on" });
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  });
});
