/**
 * One owner per data directory: a second process (or a second start in this one) is refused with a
 * clear message while the first runs, after waiting a moment in case that owner just died.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataDirInUseError, startEmbeddedDb } from "./embedded-db";

// It does not depend on the database the suite runs on: once is enough.
describe.runIf(process.env.TEST_DB !== "postgres")("the embedded database's data directory", () => {
  it("is refused to a second owner while the first runs, and free again once it stopped", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pitchat-owner-"));
    const first = await startEmbeddedDb({ dataDir });
    try {
      const refused = await startEmbeddedDb({ dataDir }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DataDirInUseError);
      expect((refused as Error).message).toContain("Another Pit Chat process is already using the embedded database");
    } finally {
      await first.stop();
    }
    const again = await startEmbeddedDb({ dataDir });
    await again.stop();
  }, 60_000);
});
