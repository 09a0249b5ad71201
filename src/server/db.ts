import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { getEnv } from "@/env";
import { PrismaClient, type Prisma } from "@/generated/prisma/client";

export type Db = PrismaClient;

export type DbOptions = {
  /** Upper bound of connections; the embedded database accepts only as many as it was started with. */
  max?: number;
  /** A pg Client subclass, e.g. one that counts statements in tests and benchmarks. */
  Client?: typeof pg.Client;
  /**
   * Named (prepared) statements: PostgreSQL parses and plans each distinct statement once per
   * connection instead of on every call, which was most of the database's CPU for a page (planning
   * the hot paths' CTEs costs several times running them). Not on the embedded database, whose
   * socket server runs every connection in PGlite's one session, where names would collide; not
   * behind a pooler in transaction mode either (DATABASE_PREPARED_STATEMENTS=0).
   */
  prepare?: boolean;
};

/** A statement's name: its text's digest, so the same SQL is prepared once and never mistaken for another. */
export function statementName(query: { sql: string }): string {
  return `p${createHash("sha1").update(query.sql).digest("base64url")}`;
}

/**
 * A pg-boss statement as this process sends it: with values, named (prepared) when statements are
 * prepared; without, in the simple protocol its multi-statement migration scripts need
 * (agents/boss-db.ts).
 */
export function bossStatement(text: string, values: unknown[] | undefined, prepare: boolean): pg.QueryConfig {
  return prepare && values?.length ? { name: statementName({ sql: text }), text, values } : { text, values };
}

export type DbHandle = { db: Db; pool: pg.Pool };

/** A Prisma client over a pg pool: the one code path for PGlite and PostgreSQL alike. */
export function createDb(connectionString: string, options: DbOptions = {}): DbHandle {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    ...(options.Client ? { Client: options.Client } : {}),
  });
  // An idle connection the server drops (a restart, a failover) is an 'error' on the pool, which
  // would end the process if nobody listened; the pool replaces it on next use.
  pool.on("error", (error) => console.warn(`database: idle connection lost (${error.message})`));
  const adapter = new PrismaPg(pool, { disposeExternalPool: true, ...(options.prepare ? { statementNameGenerator: statementName } : {}) });
  const db = new PrismaClient({ adapter });
  pools.set(db, { pool, prepare: options.prepare ?? false });
  return { db, pool };
}

/** Each client's pool and whether it prepares statements: what queryRows and transaction run on. */
const pools = new WeakMap<Db, { pool: pg.Pool; prepare: boolean }>();

/**
 * `timestamp` (without time zone) columns hold UTC (every row's time comes from the database's clock
 * at UTC, `NOW` in chat/dto.ts): read as UTC Dates, as Prisma reads them, not in the process's zone.
 */
const TIMESTAMP = 1114;
const defaultTimestamp = pg.types.getTypeParser(TIMESTAMP);
const UTC_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/;
const digit = (text: string, i: number) => text.charCodeAt(i) - 48;

/**
 * "2026-12-03 20:16:28.967" (PostgreSQL's text for timestamp(3)) as that UTC instant: read digit by
 * digit, for a page carries a hundred of them and parsing them as date strings was a tenth of its
 * CPU. Anything else (another shape, BC years, infinity) goes the slow way.
 */
export function parseUtcTimestamp(text: string): Date {
  if (!UTC_TIMESTAMP.test(text)) return defaultTimestamp(text) as Date;
  const year = digit(text, 0) * 1000 + digit(text, 1) * 100 + digit(text, 2) * 10 + digit(text, 3);
  // Date.UTC reads years 0–99 as 1900–1999: those few go through the string parser.
  if (year < 1000) return new Date(`${text.replace(" ", "T")}Z`);
  const n = text.length;
  const millis = n > 20 ? digit(text, 20) * 100 + (n > 21 ? digit(text, 21) * 10 : 0) + (n > 22 ? digit(text, 22) : 0) : 0;
  return new Date(Date.UTC(year, digit(text, 5) * 10 + digit(text, 6) - 1, digit(text, 8) * 10 + digit(text, 9),
    digit(text, 11) * 10 + digit(text, 12), digit(text, 14) * 10 + digit(text, 15), digit(text, 17) * 10 + digit(text, 18), millis));
}

const READ_TYPES = {
  getTypeParser: ((oid: number, format?: "text") =>
    oid === TIMESTAMP ? parseUtcTimestamp : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * The rows of one statement (built with Prisma.sql, values bound as parameters), taken from the pool
 * under the Prisma client directly. For the hot paths: a list of sessions, a page of history, the
 * search, a send and everything a dispatch runs. There, Prisma's raw-query path (its request
 * pipeline, the adapter's conversion of every value, the client's mapping of the result) cost as
 * much CPU as the pg driver and the statement together (bench/README.md, "Where a request's CPU
 * goes"), and buys nothing a parameterised statement does not already give. Rows come back as
 * $queryRaw returns them for these statements: timestamps as UTC Dates, int columns as numbers,
 * enums as strings, json as values (a bigint column would be a string: cast counts to int). A
 * statement that fails throws pg's own error (constraints.ts reads both shapes). Named (prepared)
 * exactly when Prisma's statements are, unless `planEachTime`: a statement whose best plan depends
 * on its values (chat.search: a word in most of a user's messages wants a walk of their newest
 * messages, a rare one the full-text index) must not be prepared, as PostgreSQL plans a prepared
 * statement once for any values after its fifth run, and that one plan took 0.9–2 s for a common
 * word at the reference data (10 ms planned for its value). A client not made by createDb goes
 * through $queryRaw.
 */
export async function queryRows<T>(db: Db, query: Prisma.Sql, options: { planEachTime?: boolean } = {}): Promise<T[]> {
  const handle = pools.get(db);
  if (!handle) return db.$queryRaw<T[]>(query);
  return run<T>(handle.pool, handle.prepare && !options.planEachTime, query);
}

function run<T>(client: pg.Pool | pg.PoolClient, named: boolean, query: Prisma.Sql): Promise<T[]> {
  const text = query.text;
  const values = query.values.map((value) => (value instanceof Date ? value.toISOString() : value));
  return client.query({ text, values, types: READ_TYPES, ...(named ? { name: statementName({ sql: text }) } : {}) }).then((r) => r.rows as T[]);
}

/** A transaction of queryRows statements; also what pg-boss's `send(…, { db })` takes, so a job can be stored in it. */
export type SqlTransaction = {
  rows<T>(query: Prisma.Sql): Promise<T[]>;
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
};

/**
 * Runs `work` in one transaction on one pooled connection, past Prisma as queryRows is (its
 * interactive transactions were the costliest part of a send after the statements themselves).
 * Committed when `work` resolves, rolled back when it throws; a connection that could not even roll
 * back is closed rather than returned to the pool. Waits for a connection as long as the pool's
 * other statements do. A client not made by createDb goes through Prisma's $transaction.
 */
export async function transaction<T>(db: Db, work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
  const handle = pools.get(db);
  if (!handle) {
    return db.$transaction(
      (tx) => work({
        rows: <R>(query: Prisma.Sql) => tx.$queryRaw<R[]>(query),
        executeSql: async (text, values = []) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) }),
      }),
      TRANSACTION,
    );
  }
  const client = await handle.pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work({
      rows: <R>(query: Prisma.Sql) => run<R>(client, handle.prepare, query),
      // pg-boss's own statements, with its own value types, named as its pool's are.
      executeSql: async (text, values = []) => ({ rows: (await client.query(bossStatement(text, values, handle.prepare))).rows }),
    });
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((failed: Error) => (broken = failed));
    throw error;
  } finally {
    client.release(broken);
  }
}

// One client per process. In development modules are re-evaluated on every change, so the
// handle lives on globalThis rather than leaking a pool per reload.
const globalForDb = globalThis as unknown as { pitChatDb?: DbHandle };

/** Whether this process prepares its statements (DbOptions.prepare): the app's and pg-boss's alike. */
export function preparesStatements(): boolean {
  const env = getEnv();
  return !env.PITCHAT_EMBEDDED && env.DATABASE_PREPARED_STATEMENTS;
}

/** The app's database, created on first use from the validated environment. */
export function getDb(): DbHandle {
  const env = getEnv();
  return (globalForDb.pitChatDb ??= createDb(env.DATABASE_URL, { max: env.DATABASE_POOL_MAX, prepare: preparesStatements() }));
}

/**
 * Options for the app's interactive transactions. Prisma's defaults (2 s to get a connection, 5 s to
 * finish) turn a burst of sends, queued behind each other on a session's row lock or waiting for a
 * pooled connection, into errors; these waits are what a busy PostgreSQL should absorb, as plain
 * statements do in the pool's queue.
 */
export const TRANSACTION = { maxWait: 30_000, timeout: 30_000 } as const;
