/**
 * A real, freshly migrated database per test file: an in-memory PGlite by default, or a new
 * database on the PostgreSQL server named by TEST_DATABASE_URL when TEST_DB=postgres.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type Db } from "@/server/db";
import { startEmbeddedDb } from "@/server/embedded-db";
import { migrate } from "@/server/migrations";

export type TestDatabase = {
  db: Db;
  url: string;
  kind: "pglite" | "postgres";
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

export async function createTestDatabase(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const statements = new StatementLog();
  const kind = process.env.TEST_DB === "postgres" ? "postgres" : "pglite";
  let url: string;
  let teardown: () => Promise<void>;
  let max = options.poolMax ?? 10;
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
    const embedded = await startEmbeddedDb({ maxConnections: max });
    url = embedded.url;
    max = embedded.maxConnections;
    teardown = embedded.stop;
  }
  await migrate(url);
  const { db } = createDb(url, { max, Client: countingClient(statements) });
  return {
    db,
    url,
    kind,
    statements,
    async close() {
      await db.$disconnect();
      await teardown();
    },
  };
}
