/**
 * The PostgreSQL server of a run: BENCH_DATABASE_URL when given (an admin URL; the bench creates
 * and drops databases of its own there), else a throwaway PostgreSQL cluster in a temp dir, on a
 * spare loopback port, stopped and deleted at the end whatever happens.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, copyFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { databaseUrl, dropDatabase, query } from "../../src/test/databases";
import { freePort, onCleanup } from "./procs";

export type PgServer = {
  /** Admin URL (database `postgres`). */
  adminUrl: string;
  version: string;
  kind: "throwaway cluster" | "BENCH_DATABASE_URL";
  /** The postmaster's pid when the bench runs the cluster (its CPU time is reported per request). */
  pid?: number;
  /** Creates an empty database and returns its URL; dropped at cleanup. */
  createDatabase: (name: string) => Promise<string>;
  stop: () => Promise<void>;
};

function pgBinDir(): string {
  if (process.env.BENCH_PG_BIN) return process.env.BENCH_PG_BIN;
  for (const v of ["15", "16", "17", "14"]) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(join(dir, "initdb"))) return dir;
  }
  try {
    return execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("No PostgreSQL binaries found: set BENCH_PG_BIN or BENCH_DATABASE_URL");
  }
}

const isRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary; as root, as the `postgres` user (initdb refuses root). */
function runPg(bin: string, args: string[], options: { sync?: boolean } = {}): string {
  const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const [cmd, cmdArgs] = isRoot ? ["su", ["postgres", "-s", "/bin/bash", "-c", quoted]] : ["/bin/bash", ["-c", quoted]];
  const result = spawnSync(cmd, cmdArgs, { encoding: "utf8", timeout: options.sync ? 30_000 : 300_000 });
  if (result.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed (${result.status}): ${result.stderr || result.stdout}`);
  return result.stdout;
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return rows[0]!.v;
  } finally {
    await client.end();
  }
}

function databaseHelpers(adminUrl: string, prefix: string, dropAtEnd: boolean) {
  return async (name: string) => {
    const db = `${prefix}_${name}`;
    await dropDatabase(adminUrl, db);
    await query(adminUrl, `CREATE DATABASE ${db}`);
    if (dropAtEnd) onCleanup(`database ${db}`, () => dropDatabase(adminUrl, db).catch(() => {}), () => {});
    return databaseUrl(adminUrl, db);
  };
}

/** keepLogTo: where the throwaway cluster's log is copied when it stops (its checkpoints, autovacuum runs and lock waits). */
export async function startPgServer(keepLogTo?: string): Promise<PgServer> {
  const external = process.env.BENCH_DATABASE_URL;
  if (external) {
    const prefix = `pitchat_bench_${process.pid}`;
    return {
      adminUrl: external,
      version: await serverVersion(external),
      kind: "BENCH_DATABASE_URL",
      createDatabase: databaseHelpers(external, prefix, true),
      stop: async () => {},
    };
  }

  const bin = pgBinDir();
  const dir = await mkdtemp(join(tmpdir(), "pitchat-bench-pg-"));
  if (isRoot) {
    const pw = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    chownSync(dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
  }
  const data = join(dir, "data");
  const logFile = join(dir, "postgres.log");
  const port = await freePort();
  const removeDir = () => {
    if (keepLogTo && existsSync(logFile)) copyFileSync(logFile, keepLogTo);
    rmSync(dir, { recursive: true, force: true });
  };

  let started = false;
  const stopCluster = onCleanup(
    `PostgreSQL cluster ${dir}`,
    async () => {
      if (started) runPg(join(bin, "pg_ctl"), ["stop", "-D", data, "-m", "fast", "-w"]);
      removeDir();
    },
    () => {
      if (started) {
        try {
          runPg(join(bin, "pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w"], { sync: true });
        } catch {
          // best effort
        }
      }
      removeDir();
    },
  );

  runPg(join(bin, "initdb"), ["-D", data, "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
  // Durability as shipped (fsync, synchronous_commit on): sendMessage pays for its commit as in
  // production. Memory enough for the reference data to stay cached.
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    `-c shared_buffers=${process.env.BENCH_PG_SHARED_BUFFERS ?? "1GB"}`,
    "-c max_connections=200",
    "-c maintenance_work_mem=512MB",
    "-c max_wal_size=4GB",
    // In the log kept with the run: what PostgreSQL did in the background, and every wait > 1 s.
    "-c log_checkpoints=on",
    "-c log_autovacuum_min_duration=0",
    "-c log_lock_waits=on",
  ].join(" ");
  try {
    runPg(join(bin, "pg_ctl"), ["start", "-D", data, "-l", logFile, "-w", "-t", "120", "-o", options]);
  } catch (error) {
    const log = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-2000) : "";
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  started = true;
  const adminUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    version: await serverVersion(adminUrl),
    kind: "throwaway cluster",
    pid: Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]) || undefined,
    createDatabase: databaseHelpers(adminUrl, "bench", false),
    stop: stopCluster,
  };
}
