import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { getEnv } from "@/env";
import { PrismaClient } from "@/generated/prisma/client";

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
  return { db: new PrismaClient({ adapter }), pool };
}

// One client per process. In development modules are re-evaluated on every change, so the
// handle lives on globalThis rather than leaking a pool per reload.
const globalForDb = globalThis as unknown as { pitChatDb?: DbHandle };

/** The app's database, created on first use from the validated environment. */
export function getDb(): DbHandle {
  const env = getEnv();
  return (globalForDb.pitChatDb ??= createDb(env.DATABASE_URL, {
    max: env.DATABASE_POOL_MAX,
    prepare: !env.PITCHAT_EMBEDDED && env.DATABASE_PREPARED_STATEMENTS,
  }));
}

/**
 * Options for the app's interactive transactions. Prisma's defaults (2 s to get a connection, 5 s to
 * finish) turn a burst of sends, queued behind each other on a session's row lock or waiting for a
 * pooled connection, into errors; these waits are what a busy PostgreSQL should absorb, as plain
 * statements do in the pool's queue.
 */
export const TRANSACTION = { maxWait: 30_000, timeout: 30_000 } as const;
