/**
 * Throwaway databases on a PostgreSQL server, for every suite that needs one of its own: the
 * server tests (src/test/db.ts), the system tests (system/harness.ts), the browser suite's
 * PostgreSQL server (scripts/e2e-postgres.ts and e2e specs) and the bench.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

/** Runs one statement on its own connection and returns its rows. */
export async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** The URL of database `name` on the server `adminUrl` names. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, empty database `<prefix>_<random>` on that server, and how to drop it (whoever is still connected). */
export async function createScratchDatabase(adminUrl: string, prefix: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await query(adminUrl, `CREATE DATABASE ${name}`);
  return { name, url: databaseUrl(adminUrl, name), drop: () => dropDatabase(adminUrl, name) };
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await query(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
