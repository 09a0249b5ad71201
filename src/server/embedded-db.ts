import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import lockfile from "proper-lockfile";
import { DEFAULT_MAX_CONNECTIONS, PGliteServer, type PGliteServerStats } from "./pglite-server";

/**
 * The embedded default: PGlite (PostgreSQL compiled to WASM) served on loopback by our own
 * transaction-aware server (`pglite-server.ts`), so the app talks to it through the same pg driver
 * and SQL as to a real PostgreSQL, with as many connections as it likes.
 *
 * Its limits shape this module: exactly one process may own a data directory (a second owner would
 * silently lose writes), so ownership is a lock file; PGlite runs one unit of work at a time and one
 * transaction at a time (connections queue, see pglite-server.ts); it never fsyncs, so it is for
 * trying out and single-machine use.
 */
export type EmbeddedDb = {
  url: string;
  maxConnections: number;
  /** What the server has seen: connections, units run, how many connections waited at once, … */
  stats: () => PGliteServerStats;
  /** Starts peakWaiting and peakConnections over from now. */
  resetPeaks: () => void;
  stop: () => Promise<void>;
};

/**
 * The app's pg pool on the embedded database. PGlite runs one unit at a time whatever the pool, but
 * with several connections in flight it has the next unit queued instead of idling through each
 * round trip. Over HTTP a pool of one never comes out ahead and 4, 8 and 16 measure alike (the
 * app's own CPU is the limit); in a one-off check straight through the server, statements shaped
 * like the app's ran 13-41 % faster at 8 than at 4, and -15 % to +14 % at 16 against 8 (README
 * "The embedded database under load", `npm run bench:embedded`). The connection limit (100) leaves
 * room beside it for migrations, the seed and a job queue's own pool.
 */
export const EMBEDDED_POOL_MAX = 8;

export type EmbeddedDbOptions = {
  /** Where data persists; omit for an in-memory database (tests). */
  dataDir?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Connections the server accepts at once (default 100, like PostgreSQL's max_connections). */
  maxConnections?: number;
  /** An owner idle in a transaction this long while others wait is rolled back and closed (default 30 s; 0 = never). */
  idleInTransactionTimeoutMs?: number;
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
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  let releaseLock: (() => Promise<void>) | undefined;
  let pglite: PGlite;
  if (options.dataDir) {
    const dir = resolve(options.dataDir);
    await mkdir(dir, { recursive: true });
    // The owner refreshes its lock every 2 s; one not refreshed for 10 s is a dead owner's (a crash,
    // a kill -9), taken over. A restart right after a crash waits for that rather than failing.
    const lock = { lockfilePath: join(dir, "pglite.lock"), stale: 10_000, update: 2_000 };
    try {
      releaseLock = await lockfile.lock(dir, lock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
      console.log(`The embedded database in ${dir} is locked (another Pit Chat, or one that just stopped): waiting up to 12 s…`);
      try {
        releaseLock = await lockfile.lock(dir, { ...lock, retries: { retries: 12, minTimeout: 1_000, maxTimeout: 1_000, factor: 1 } });
      } catch (retryError) {
        if ((retryError as NodeJS.ErrnoException).code === "ELOCKED") throw new DataDirInUseError(dir);
        throw retryError;
      }
    }
    pglite = new PGlite(join(dir, "pglite"));
  } else {
    pglite = new PGlite();
  }
  await pglite.waitReady;
  const server = new PGliteServer({
    db: pglite,
    host: "127.0.0.1",
    port: options.port ?? 0,
    maxConnections,
    idleInTransactionTimeoutMs: options.idleInTransactionTimeoutMs,
    log: (line) => console.warn(line),
  });
  let address: { host: string; port: number };
  try {
    address = await server.start();
  } catch (error) {
    await pglite.close();
    await releaseLock?.();
    throw error;
  }
  const url = `postgresql://postgres:postgres@${address.host}:${address.port}/postgres?sslmode=disable`;
  let stopped = false;
  return {
    url,
    maxConnections,
    stats: () => server.stats(),
    resetPeaks: () => server.resetPeaks(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await pglite.close();
      await releaseLock?.();
    },
  };
}
