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
  readers.set(db, { pool, prepare: options.prepare ?? false });
  return { db, pool };
}

const readers = new WeakMap<Db, { pool: pg.Pool; prepare: boolean }>();

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
 * The rows of one read statement (built with Prisma.sql, values bound as parameters), taken from the
 * pool under the Prisma client directly. For the hot reads (a list of sessions, a page of
 * history) and the search: there, Prisma's raw-query path (its request pipeline, the adapter's conversion of every
 * value, the client's mapping of the result) cost as much CPU as the pg driver and the statement
 * together (bench/README.md, "Where a request's CPU goes"), and buys nothing a parameterised
 * statement does not already give. Rows come back as $queryRaw returns them for these statements:
 * timestamps as UTC Dates, int columns as numbers, enums as strings. Named (prepared) exactly when
 * Prisma's statements are, unless `planEachTime`: a statement whose best plan depends on its values
 * (chat.search: a word in most of a user's messages wants a walk of their newest messages, a rare
 * one the full-text index) must not be prepared, as PostgreSQL plans a prepared statement once for
 * any values after its fifth run, and that one plan took 0.9–2 s for a common word at the reference
 * data (10 ms planned for its value). A client not made by createDb goes through $queryRaw.
 */
export async function readRows<T>(db: Db, query: Prisma.Sql, options: { planEachTime?: boolean } = {}): Promise<T[]> {
  const reader = readers.get(db);
  if (!reader) return db.$queryRaw<T[]>(query);
  const text = query.text;
  const values = query.values.map((value) => (value instanceof Date ? value.toISOString() : value));
  const named = reader.prepare && !options.planEachTime;
  const result = await reader.pool.query({ text, values, types: READ_TYPES, ...(named ? { name: statementName({ sql: text }) } : {}) });
  return result.rows as T[];
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
