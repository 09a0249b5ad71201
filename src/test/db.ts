/**
 * A real, freshly migrated database per test file: an in-memory PGlite by default, or a new
 * database on the PostgreSQL server named by TEST_DATABASE_URL when TEST_DB=postgres.
 *
 * PGlite is served exactly as `npm start` serves it: by the embedded database's server on loopback,
 * reached through the app's own pg pool (`createDb`), so statements from several pool connections
 * really are in flight at once and queue at the server (`embedded.stats().peakWaiting` says how many).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type Db } from "@/server/db";
import { startEmbeddedDb, type EmbeddedDb } from "@/server/embedded-db";
import { migrate } from "@/server/migrations";

export type TestDatabase = {
  db: Db;
  url: string;
  kind: "pglite" | "postgres";
  /** The embedded database's server (PGlite only): its stats show the overlap a test produced. */
  embedded?: EmbeddedDb;
  /** SQL statements sent since the last reset (BEGIN and COMMIT included). */
  statements: StatementLog;
  close: () => Promise<void>;
};

export class StatementLog {
  readonly sql: string[] = [];
  reset() {
    this.sql.length = 0;
  }
  get count() {
    return this.sql.length;
  }
}

/** A pg Client that records every statement it sends, counted at the driver as the budgets demand. */
function countingClient(log: StatementLog): typeof pg.Client {
  return class CountingClient extends pg.Client {
    // pg's query has many overloads; the first argument is the text or a config holding it.
    query(...args: unknown[]): never {
      const first = args[0] as string | { text?: string } | undefined;
      log.sql.push(typeof first === "string" ? first : (first?.text ?? "?"));
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  } as unknown as typeof pg.Client;
}

export async function createTestDatabase(
  options: { poolMax?: number; idleInTransactionTimeoutMs?: number } = {},
): Promise<TestDatabase> {
  const statements = new StatementLog();
  const kind = process.env.TEST_DB === "postgres" ? "postgres" : "pglite";
  let url: string;
  let teardown: () => Promise<void>;
  const max = options.poolMax ?? 10;
  let embedded: EmbeddedDb | undefined;
  if (kind === "postgres") {
    const adminUrl = process.env.TEST_DATABASE_URL;
    if (!adminUrl) throw new Error("TEST_DB=postgres needs TEST_DATABASE_URL");
    const name = `pitchat_test_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const target = new URL(adminUrl);
    target.pathname = `/${name}`;
    url = target.toString();
    teardown = async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  } else {
    embedded = await startEmbeddedDb({ idleInTransactionTimeoutMs: options.idleInTransactionTimeoutMs });
    url = embedded.url;
    teardown = embedded.stop;
  }
  await migrate(url);
  const { db } = createDb(url, { max, Client: countingClient(statements) });
  return {
    db,
    url,
    kind,
    embedded,
    statements,
    async close() {
      await db.$disconnect();
      await teardown();
    },
  };
}
