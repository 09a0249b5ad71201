/**
 * `npm run bench:embedded`: the embedded database's server and the app's pool size, compared over
 * HTTP against the production build at 16 concurrent clients. Each option is a database process
 * (bench/lib/embedded-server.ts: PGlite, its server, migrated and seeded, with the reference data
 * at BENCH_EMBEDDED_SCALE loaded through its socket) plus `npm start` pointed at it with
 * DATABASE_POOL_MAX: the same two processes as `npm start` on the embedded default. All options run
 * at once and every call is measured round-robin over them (BENCH_ROUNDS rounds, medians), so the
 * figures compare numbers taken close together on a shared machine.
 *
 * Calls: chat.sendMessage with a new clientId each; the same with every fourth request a retry of
 * the clientId sent two requests earlier (often still in flight: the unique-violation path, as a
 * client retrying after a timeout does); chat.listSessions (20); chat.listMessages (50 from the
 * middle of the big session). Afterwards each database is checked: every session sent to has
 * messageCount = rows = max(seq), and every retried clientId is stored once.
 *
 *   BENCH_EMBEDDED_OPTIONS  default "socket:8:8,socket:8:1,socket:100:8,proxy:1,proxy:2,proxy:4,proxy:8,proxy:16"
 *                           (socket:<limit>:<pool> = pglite-socket 0.2.17; proxy:<pool> = ours, limit 100)
 *   BENCH_EMBEDDED_SCALE    0.05; BENCH_SECONDS 5; BENCH_WARMUP 2; BENCH_ROUNDS 3; BENCH_CONNECTIONS 16
 *   BENCH_OUT               bench/results (writes embedded.md and embedded.json)
 *
 * `npm run bench:embedded -- floor` takes Next out of the picture: the bench's floor (bench/floor.ts,
 * the app's statements over plain pg and node:http, with the option's pool) stands in for the app,
 * so what is measured is mostly the database side. No retries there (the floor has no clientId
 * handling). Writes embedded-floor.md and .json.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { hashPassword } from "@/server/auth/password";
import { signIn, status, trpcMutationBody, trpcQueryPath } from "./lib/http";
import { BENCH_PASSWORD, loadReferenceData, type ReferenceData } from "./lib/load";
import { measure, median, type Endpoint, type Measurement } from "./lib/measure";
import { cleanupAll, freePort, installExitHandlers, startChild, tempDir, waitUntil, type Child } from "./lib/procs";
import { ms, rps } from "./lib/report";
import { snapshotBuild } from "./lib/snapshot";

const ROOT = process.cwd();
const OUT = process.env.BENCH_OUT ? resolve(process.env.BENCH_OUT) : join(ROOT, "bench", "results");
const LOGS = join(OUT, "logs.tmp");
const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const config = {
  scale: num("BENCH_EMBEDDED_SCALE", 0.05),
  seconds: num("BENCH_SECONDS", 5),
  warmup: num("BENCH_WARMUP", 2),
  rounds: num("BENCH_ROUNDS", 3),
  connections: num("BENCH_CONNECTIONS", 16),
};
const started = performance.now();
const say = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

type Option = { label: string; kind: "proxy" | "pglite-socket"; limit: number; pool: number };

function parseOptions(raw: string): Option[] {
  return raw.split(",").map((spec) => {
    const [kind, a, b] = spec.trim().split(":");
    if (kind === "proxy") return { label: `ours, pool ${a}`, kind: "proxy", limit: 100, pool: Number(a) };
    if (kind === "socket") return { label: `pglite-socket, limit ${a}, pool ${b}`, kind: "pglite-socket", limit: Number(a), pool: Number(b) };
    throw new Error(`bad option ${spec}`);
  });
}
const options = parseOptions(process.env.BENCH_EMBEDDED_OPTIONS ?? "socket:8:8,socket:8:1,socket:100:8,proxy:1,proxy:2,proxy:4,proxy:8,proxy:16");

let stopping = false;

type Running = {
  option: Option;
  index: number;
  dbUrl: string;
  db: Child;
  app: Child;
  base: string;
  cookie: string;
  data: ReferenceData;
  dataDir: string;
  dbPort: number;
  restarts: number;
};
const FLOOR = process.argv.includes("floor");
const ALL_CALLS = ["sendMessage", "sendMessage with retries", "listSessions", "listMessages"] as const;
type Call = (typeof ALL_CALLS)[number];
const CALLS: readonly Call[] = FLOOR ? ALL_CALLS.filter((c) => c !== "sendMessage with retries") : ALL_CALLS;

let appDir = ROOT;
let secret = "";

function baseEnv(): Record<string, string | undefined> {
  const env = { ...process.env } as Record<string, string | undefined>;
  for (const k of Object.keys(env)) if (/^(DATABASE_|PITCHAT_|NEXTAUTH_|RATE_LIMIT_|BENCH_|PORT$)/.test(k)) delete env[k];
  return env;
}

const alive = (c: Child) => c.proc.exitCode === null && c.proc.signalCode === null;

function watch(child: Child, label: string) {
  child.proc.on("exit", (code, signal) => {
    if (!stopping) say(`!! ${child.name} (${label}) exited: code ${code}, signal ${signal}`);
  });
}

async function startDb(option: Option, index: number, dataDir: string, dbPort: number, attempt: number): Promise<Child> {
  const db = startChild(`edb-${index}-${attempt}`, process.execPath, ["--import", "tsx", join("bench", "lib", "embedded-server.ts")], {
    cwd: ROOT,
    env: { ...baseEnv(), EDB_KIND: option.kind, EDB_PORT: String(dbPort), EDB_DATA_DIR: dataDir, EDB_MAX_CONNECTIONS: String(option.limit) },
    logFile: join(LOGS, `edb-${index}-${attempt}.log`),
  });
  await waitUntil(`database ${option.label}`, async () => readFileSync(db.logFile, "utf8").includes("ready"), { timeoutMs: 180_000, intervalMs: 200, child: db });
  watch(db, option.label);
  return db;
}

/**
 * The app as `npm start` runs it (scripts/run.ts, then next start), pointed at the option's
 * database; in floor mode the bench's floor with the option's pool instead.
 */
async function startApp(option: Option, index: number, dbUrl: string, attempt: number): Promise<{ app: Child; base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  if (FLOOR) {
    const floor = startChild(`edb-floor-${index}-${attempt}`, process.execPath, ["--import", "tsx", join("bench", "floor.ts")], {
      cwd: ROOT,
      env: { ...baseEnv(), FLOOR_PORT: String(port), FLOOR_DATABASE_URL: dbUrl, FLOOR_POOL_MAX: String(option.pool), NEXTAUTH_SECRET: secret },
      logFile: join(LOGS, `edb-floor-${index}-${attempt}.log`),
    });
    await waitUntil(`floor ${option.label}`, async () => (await status(`${base}/health`)) === 200, { timeoutMs: 60_000, intervalMs: 100, child: floor });
    watch(floor, option.label);
    return { app: floor, base };
  }
  const app = startChild(`edb-app-${index}-${attempt}`, process.execPath, [join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/run.ts", "start"], {
    cwd: appDir,
    env: {
      ...baseEnv(), NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), NEXTAUTH_URL: base, NEXTAUTH_SECRET: secret,
      DATABASE_URL: dbUrl, DATABASE_POOL_MAX: String(option.pool),
      RATE_LIMIT_SEND: "0", RATE_LIMIT_SIGNIN: "0", RATE_LIMIT_REGISTER: "0",
    },
    logFile: join(LOGS, `edb-app-${index}-${attempt}.log`),
  });
  await waitUntil(`app ${option.label}`, async () => (await status(`${base}/signin`)) === 200, { timeoutMs: 180_000, intervalMs: 100, child: app });
  watch(app, option.label);
  return { app, base };
}

async function startOption(option: Option, index: number, passwordHash: string): Promise<Running> {
  const dataDir = await tempDir("pitchat-bench-edb-");
  const dbPort = await freePort();
  const db = await startDb(option, index, dataDir, dbPort, 0);
  const dbUrl = `postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres?sslmode=disable`;
  const data = await loadReferenceData(dbUrl, { scale: config.scale, passwordHash });
  const { app, base } = await startApp(option, index, dbUrl, 0);
  const cookie = await sessionCookie(base, data);
  say(`up: ${option.label} (database :${dbPort}, app ${base})`);
  return { option, index, dbUrl, db, app, base, cookie, data, dataDir, dbPort, restarts: 0 };
}

/** The session cookie: signed in through the app, or (floor) a NextAuth token encoded with the same secret. */
async function sessionCookie(base: string, data: ReferenceData): Promise<string> {
  if (!FLOOR) return signIn(base, data.email, data.password);
  const { encode } = await import("next-auth/jwt");
  const token = await encode({ token: { sub: data.userId, name: data.userName, email: data.email }, secret });
  return `next-auth.session-token=${token}`;
}

/**
 * Servers killed from outside (the machine is shared) are started again on the same data: the
 * measurement they missed is taken again, and the restart is reported beside the figures.
 */
async function ensureUp(r: Running) {
  if (alive(r.db) && alive(r.app)) return;
  r.restarts++;
  say(`restarting ${r.option.label} (restart ${r.restarts})`);
  await r.app.stop();
  if (!alive(r.db)) {
    await r.db.stop();
    r.db = await startDb(r.option, r.index, r.dataDir, r.dbPort, r.restarts);
  }
  const { app, base } = await startApp(r.option, r.index, r.dbUrl, r.restarts);
  Object.assign(r, { app, base, cookie: await sessionCookie(base, r.data) });
}

function endpoint(r: Running, call: Call, tag: string): Endpoint {
  const headers = { cookie: r.cookie };
  if (FLOOR) {
    if (call === "listSessions") return { base: r.base, method: "GET", path: "/listSessions?limit=20", headers };
    if (call === "listMessages") {
      const qs = new URLSearchParams({ sessionId: r.data.bigSessionId, before: r.data.middleBeforeId, limit: "50" });
      return { base: r.base, method: "GET", path: `/listMessages?${qs}`, headers };
    }
    let n = 0;
    return {
      base: r.base,
      method: "POST",
      path: "/sendMessage",
      headers: { ...headers, "content-type": "application/json" },
      body: () => {
        const k = n++;
        return JSON.stringify({ sessionId: r.data.sendSessionIds[k % r.data.sendSessionIds.length]!, content: `Bench message ${k}`, clientId: `edb-${tag}-f-${k}` });
      },
    };
  }
  if (call === "listSessions") return { base: r.base, method: "GET", path: trpcQueryPath("chat.listSessions", { limit: 20 }), headers };
  if (call === "listMessages") {
    return { base: r.base, method: "GET", path: trpcQueryPath("chat.listMessages", { sessionId: r.data.bigSessionId, before: r.data.middleBeforeId, limit: 50 }), headers };
  }
  let n = 0;
  const retries = call === "sendMessage with retries";
  return {
    base: r.base,
    method: "POST",
    path: "/api/trpc/chat.sendMessage",
    headers: { ...headers, "content-type": "application/json" },
    body: () => {
      const k = n++;
      // Every fourth request repeats the one sent two requests before it, content and all.
      const original = retries && k % 4 === 3 ? k - 2 : k;
      return trpcMutationBody({
        sessionId: r.data.sendSessionIds[original % r.data.sendSessionIds.length]!,
        content: `Bench message ${original}: how are the numbers today?`,
        clientId: `edb-${tag}-${retries ? "r" : "s"}-${original}`,
      });
    },
  };
}

/** messageCount = rows = max(seq) in every session sent to, and no clientId stored twice. */
async function consistent(url: string, data: ReferenceData): Promise<{ counters: boolean; doubled: number }> {
  let client: pg.Client | undefined;
  for (let attempt = 1; !client; attempt++) {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    c.on("error", () => {});
    try {
      await c.connect();
      client = c;
    } catch (error) {
      if (attempt === 5) throw new Error(`database unreachable after the run (5 attempts): ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "ChatSession" s
       JOIN (SELECT "sessionId", count(*) AS c, max(seq) AS mx FROM "Message" WHERE "sessionId" = ANY($1) GROUP BY 1) m ON m."sessionId" = s.id
       WHERE s.id = ANY($1) AND (m.c <> s."messageCount" OR m.mx <> s."messageCount")`,
      [data.sendSessionIds],
    );
    const { rows: doubled } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT "sessionId", "clientId" FROM "Message" WHERE "clientId" LIKE 'edb-%'
       GROUP BY 1, 2 HAVING count(*) > 1) d`,
    );
    return { counters: rows[0]!.n === 0, doubled: doubled[0]!.n };
  } finally {
    await client.end();
  }
}

function combine(ms: Measurement[]): Measurement & { errorsTotal: number } {
  return {
    ...ms[0]!,
    requests: ms.reduce((s, m) => s + m.requests, 0),
    errors: ms.reduce((s, m) => s + m.errors, 0),
    non2xx: ms.reduce((s, m) => s + m.non2xx, 0),
    throughput: median(ms.map((m) => m.throughput)),
    p50: median(ms.map((m) => m.p50)),
    p99: median(ms.map((m) => m.p99)),
    errorsTotal: ms.reduce((s, m) => s + m.errors + m.non2xx, 0),
  };
}

async function main() {
  installExitHandlers();
  rmSync(LOGS, { recursive: true, force: true });
  await mkdir(LOGS, { recursive: true });
  const snapshot = await snapshotBuild(ROOT, say);
  appDir = snapshot.dir;
  secret = randomBytes(32).toString("base64url");
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  say(`${options.length} options, scale ${config.scale}, ${config.connections} clients, ${config.rounds} × ${config.seconds} s per call and option, load ${loadavg()[0]!.toFixed(2)}`);
  const running: Running[] = [];
  for (const [i, option] of options.entries()) running.push(await startOption(option, i, passwordHash));

  const results = new Map<string, Measurement[]>();
  for (let round = 0; round < config.rounds; round++) {
    for (const call of CALLS) {
      for (const r of running) {
        let m: Measurement;
        for (let attempt = 0; ; attempt++) {
          await ensureUp(r);
          const restartsBefore = r.restarts;
          m = await measure(endpoint(r, call, `${round}-${attempt}`), { connections: config.connections, seconds: config.seconds, warmupSeconds: round === 0 || attempt > 0 ? config.warmup : 0 });
          // A server that died during the measurement voids it: take it again.
          if (alive(r.db) && alive(r.app) && r.restarts === restartsBefore) break;
          if (attempt === 3) throw new Error(`${r.option.label}: servers keep dying`);
        }
        const key = `${r.option.label}|${call}`;
        results.set(key, [...(results.get(key) ?? []), m]);
        say(`  ${r.option.label.padEnd(32)} ${call.padEnd(25)} ${rps(m.throughput).padStart(7)}  p50 ${ms(m.p50).padStart(9)}  errors ${m.errors + m.non2xx}  (round ${round + 1})`);
      }
    }
  }

  stopping = true;
  const rows: Record<string, unknown>[] = [];
  for (const r of running) {
    await r.app.stop();
    const check = await consistent(r.dbUrl, r.data).catch((e: Error) => ({ counters: false, doubled: -1, error: e.message }));
    await r.db.stop();
    const log = readFileSync(r.db.logFile, "utf8");
    const stats = /stats (\{.*\})/.exec(log)?.[1];
    const row: Record<string, unknown> = { option: r.option, check, stats: stats ? JSON.parse(stats) : undefined, restarts: r.restarts };
    for (const call of CALLS) row[call] = combine(results.get(`${r.option.label}|${call}`)!);
    rows.push(row);
  }

  const cell = (m: Measurement & { errorsTotal: number }) => `${rps(m.throughput)} (p50 ${ms(m.p50)})${m.errorsTotal ? `, **${m.errorsTotal} errors**` : ""}`;
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")} at the end`;
  const md = [
    FLOOR ? `# Embedded database: server and pool size, under the bench's floor (no Next)` : `# Embedded database: server and pool size`,
    "",
    `${new Date().toISOString()}, build ${snapshot.buildId}; ${machine}.`,
    `${config.connections} concurrent clients, ${config.rounds} rounds × ${config.seconds} s per call and option, interleaved; medians of the rounds (errors summed).`,
    `Reference data at scale ${config.scale} (${rows.length ? JSON.stringify((running[0]!.data.counts)) : ""}) on top of the demo seed.`,
    "",
    `| option | ${CALLS.map((c) => ({ sendMessage: "sendMessage", "sendMessage with retries": "sendMessage, 1 in 4 a retry", listSessions: "listSessions (20)", listMessages: "listMessages (50)" })[c]).join(" | ")} | after: counters, clientIds stored twice | server stats |`,
    `|---|${CALLS.map(() => "---").join("|")}|---|---|`,
    ...rows.map((row) => {
      const o = row.option as Option;
      const c = row.check as { counters: boolean; doubled: number };
      const s = row.stats as { peakWaiting?: number; peakConnections?: number } | undefined;
      const after = "error" in c ? `**${c.error as string}**` : `${c.counters ? "exact" : "**WRONG**"}, ${c.doubled}`;
      const restarts = row.restarts ? ` (restarted ${row.restarts as number}× after an outside kill)` : "";
      return `| ${o.label}${restarts} | ${CALLS.map((call) => cell(row[call] as never)).join(" | ")} | ${after} | ${s ? `peak ${s.peakConnections} connections, ${s.peakWaiting} waiting at once` : "–"} |`;
    }),
    "",
  ].join("\n");
  console.log(`\n${md}`);
  const name = FLOOR ? "embedded-floor" : "embedded";
  await writeFile(join(OUT, `${name}.md`), md);
  await writeFile(join(OUT, `${name}.json`), `${JSON.stringify({ config, machine, rows }, null, 2)}\n`);
  say(`written to ${join(OUT, `${name}.md`)}`);
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await cleanupAll();
}
if (!existsSync(OUT)) exitCode = 1;
process.exit(exitCode);
