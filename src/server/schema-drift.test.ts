import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";

/**
 * Prisma's own schema engine (the dev-only tools/prisma-migrate-diff) diffs the database our
 * migrations built against prisma/schema.prisma: no difference means the committed migrations are
 * exactly the schema. Its WASM engine cannot introspect PGlite (it panics on PGlite's catalog), so
 * this runs on PostgreSQL; the structural check in migrations.test.ts runs on both.
 */
const onPostgres = process.env.TEST_DB === "postgres";

describe.runIf(onPostgres)("committed migrations", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 1 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("build exactly the database that prisma/schema.prisma describes", async () => {
    const run = promisify(execFile);
    const result = await run("bash", ["tools/prisma-migrate-diff/diff.sh", "--from-url", t.url], {
      timeout: 180_000,
    }).then(
      ({ stdout }) => ({ code: 0, sql: stdout }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? -1,
        sql: `${error.stdout ?? ""}${error.stderr ?? ""}`,
      }),
    );
    // Exit 2 prints the SQL that would bring the database to the schema: that is the drift.
    expect(result.sql.trim()).toBe("");
    expect(result.code).toBe(0);
  }, 200_000);
});
