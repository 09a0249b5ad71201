import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";

/**
 * Applies the committed SQL migrations (prisma/migrations/<name>/migration.sql) in name order and
 * records each in `_prisma_migrations` exactly as `prisma migrate deploy` does (same table, same
 * SHA-256 checksum, same advisory lock), so either tool can take over from the other. Prisma's own
 * engine cannot run everywhere the app does (it is a native download), hence this small runner.
 */

const MIGRATIONS_DIR = join(process.cwd(), "prisma", "migrations");
// The lock key prisma migrate uses: two deploys (ours or Prisma's) never run at once.
const ADVISORY_LOCK_KEY = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export type Migration = { name: string; sql: string; checksum: string };

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(join(dir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    }),
  );
}

export type MigrateResult = { applied: string[]; alreadyApplied: number };

/**
 * `whileLocked` runs after the migrations, still under the lock: start-up work that two instances
 * must not do at once (creating the job queues deadlocks when several processes do it together).
 */
export async function migrate(
  connectionString: string,
  options: { dir?: string; whileLocked?: () => Promise<void> } = {},
): Promise<MigrateResult> {
  const dir = options.dir ?? MIGRATIONS_DIR;
  const migrations = await readMigrations(dir);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    const failed = rows.find((r) => r.finished_at === null);
    if (failed) {
      throw new Error(`Migration ${failed.migration_name} failed earlier and needs attention before others run.`);
    }
    const applied: string[] = [];
    for (const migration of migrations) {
      const previous = done.get(migration.name);
      if (previous) {
        if (previous.checksum !== migration.checksum) {
          console.warn(`warning: migration ${migration.name} was edited after it was applied`);
        }
        continue;
      }
      const id = randomUUID();
      // Each migration runs in a transaction of its own, unless it manages its own (Prisma writes
      // BEGIN/COMMIT around steps that cannot share one, such as removing an enum value).
      const ownTransaction = /^\s*BEGIN;/im.test(migration.sql);
      if (!ownTransaction) await client.query("BEGIN");
      try {
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
          [id, migration.checksum, migration.name],
        );
        await client.query(migration.sql);
        await client.query(
          `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
          [id],
        );
        if (!ownTransaction) await client.query("COMMIT");
      } catch (error) {
        if (!ownTransaction) await client.query("ROLLBACK");
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(migration.name);
    }
    await options.whileLocked?.();
    return { applied, alreadyApplied: migrations.length - applied.length };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}
