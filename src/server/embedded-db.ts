import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import lockfile from "proper-lockfile";

/**
 * The embedded default: PGlite (PostgreSQL compiled to WASM) served on loopback, so the app talks
 * to it through the same pg driver and SQL as to a real PostgreSQL.
 *
 * Its limits shape this module: exactly one process may own a data directory (a second owner would
 * silently lose writes), so ownership is a lock file; every query runs one at a time, so the pool
 * must not exceed `maxConnections`; it never fsyncs, so it is for trying out and single-machine use.
 */
export type EmbeddedDb = { url: string; maxConnections: number; stop: () => Promise<void> };

export type EmbeddedDbOptions = {
  /** Where data persists; omit for an in-memory database (tests). */
  dataDir?: string;
  /** 0 picks a free port. */
  port?: number;
  maxConnections?: number;
};

export class DataDirInUseError extends Error {
  constructor(dir: string) {
    super(
      `Another Pit Chat process is already using the embedded database in ${dir}. ` +
        `Stop it first, or set PITCHAT_DATA_DIR to another directory, or DATABASE_URL to a PostgreSQL server.`,
    );
  }
}

export async function startEmbeddedDb(options: EmbeddedDbOptions = {}): Promise<EmbeddedDb> {
  const maxConnections = options.maxConnections ?? 8;
  let releaseLock: (() => Promise<void>) | undefined;
  let pglite: PGlite;
  if (options.dataDir) {
    const dir = resolve(options.dataDir);
    await mkdir(dir, { recursive: true });
    try {
      releaseLock = await lockfile.lock(dir, { lockfilePath: join(dir, "pglite.lock"), stale: 15_000, update: 5_000 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ELOCKED") throw new DataDirInUseError(dir);
      throw error;
    }
    pglite = new PGlite(join(dir, "pglite"));
  } else {
    pglite = new PGlite();
  }
  await pglite.waitReady;
  const server = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port: options.port ?? 0, maxConnections });
  await server.start();
  const url = `postgresql://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  let stopped = false;
  return {
    url,
    maxConnections,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await pglite.close();
      await releaseLock?.();
    },
  };
}
