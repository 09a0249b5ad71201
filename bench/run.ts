/**
 * `npm run bench`: the performance budgets of BUDGETS.md, measured over HTTP against the production
 * build. See bench/README.md for the method. Environment:
 *   BENCH_SCALE=1          row counts of the reference data (0.05 for development)
 *   BENCH_SECONDS=5        seconds per measurement; BENCH_WARMUP=3 seconds of warm-up before the first
 *   BENCH_ROUNDS=3         rounds, interleaved over the servers; figures are medians over rounds
 *   BENCH_CONNECTIONS=16   concurrent clients
 *   BENCH_POOL_MAX=10      pg pool of the app and of the floor on PostgreSQL
 *   BENCH_PGLITE_SCALE     scale of the data loaded into the embedded PGlite (default BENCH_SCALE)
 *   BENCH_DATABASE_URL     an admin URL of a PostgreSQL server to use instead of a throwaway cluster
 *   BENCH_SKIP             comma list of phases to skip: postgres,flatness,statements,pglite,thread
 *   BENCH_ONLY             comma list of the only phases to run (also `npm run bench -- thread`)
 *   BENCH_OUT=bench/results  where latest.md, latest.json and logs.tmp/ go
 *   BENCH_BUILD_ROOT       a checkout whose .next to bench instead of this tree's
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join, relative, resolve } from "node:path";
import pg from "pg";
import { hashPassword } from "@/server/auth/password";
import { migrate } from "@/server/migrations";
import { firstLoadJs } from "./lib/bundle";
import { signIn, status, trpcMutationBody, trpcQuery, trpcQueryPath, getJson } from "./lib/http";
import { BENCH_PASSWORD, loadReferenceData, type ReferenceData } from "./lib/load";
import { measure, median, type Endpoint, type Measurement } from "./lib/measure";
import { startPgServer } from "./lib/pg-cluster";
import { snapshotBuild } from "./lib/snapshot";
import { cleanupAll, freePort, installExitHandlers, startChild, tempDir, waitUntil, type Child } from "./lib/procs";
import { kB, ms, ratio, rps, toMarkdown, x, type BudgetRow, type Pair, type Results } from "./lib/report";
import { countStatements } from "./lib/statements";
import { measureThread, THREAD_MESSAGES } from "./lib/thread";

const ROOT = process.cwd();
/** The project whose production build is benched (default: this tree). */
const BUILD_ROOT = process.env.BENCH_BUILD_ROOT ?? ROOT;
/** Where the app runs: a private copy of the build (see lib/snapshot.ts), set in main(). */
let APP_DIR = ROOT;
const RESULTS = process.env.BENCH_OUT ? resolve(process.env.BENCH_OUT) : join(ROOT, "bench", "results");
const LOGS = join(RESULTS, "logs.tmp");

const num = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${raw}`);
  return value;
};
const config = {
  scale: num("BENCH_SCALE", 1),
  seconds: num("BENCH_SECONDS", 5),
  warmup: process.env.BENCH_WARMUP === "0" ? 0 : num("BENCH_WARMUP", 3),
  connections: Math.round(num("BENCH_CONNECTIONS", 16)),
  rounds: Math.round(num("BENCH_ROUNDS", 3)),
  poolMax: Math.round(num("BENCH_POOL_MAX", 10)),
};
const pgliteScale = num("BENCH_PGLITE_SCALE", config.scale);
const PHASES = ["postgres", "flatness", "statements", "pglite", "thread"] as const;
const list = (raw: string | undefined) => (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean);
const skip = new Set(list(process.env.BENCH_SKIP));
// `BENCH_ONLY=thread` or `npm run bench -- thread`: every other phase is skipped. Flatness and
// statements run on the PostgreSQL phase's databases, so naming them runs that phase too.
const only = new Set([...list(process.env.BENCH_ONLY), ...process.argv.slice(2).flatMap((a) => list(a))]);
for (const phase of only) if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`unknown phase ${phase}: one of ${PHASES.join(", ")}`);
if (only.size) {
  if (only.has("flatness") || only.has("statements")) only.add("postgres");
  for (const phase of PHASES) if (!only.has(phase)) skip.add(phase);
}
const atReference = config.scale === 1;

const started = performance.now();
const say = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "?";
  }
}

function machineInfo(): Record<string, string | number> {
  const cpuModel = existsSync("/proc/cpuinfo")
    ? (/model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "?")
    : (cpus()[0]?.model ?? "?");
  const dirty = sh("git", ["status", "--porcelain", "--untracked-files=no"]) === "" ? "" : " (with uncommitted changes)";
  return {
    date: new Date().toISOString(),
    nproc: sh("nproc", []),
    cpu: cpuModel.trim(),
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    loadBefore: loadavg().map((l) => l.toFixed(2)).join(" "),
    loadAfter: "",
    commit: `${sh("git", ["rev-parse", "--short", "HEAD"])}${dirty}`,
    buildId: "",
  };
}

/** The env a child server gets: the caller's, minus anything that would point it elsewhere. */
function childEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(DATABASE_|PITCHAT_|NEXTAUTH_|RATE_LIMIT_|BENCH_|NODE_ENV$|PORT$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: "1", RATE_LIMIT_SEND: "0", RATE_LIMIT_SIGNIN: "0", RATE_LIMIT_SIGNIN_IP: "0", RATE_LIMIT_REGISTER: "0", ...extra };
}

type Server = { base: string; child: Child };

/** `npm start` on a spare port; ready when /signin answers 200. */
async function startApp(name: string, env: Record<string, string>): Promise<Server & { msToReady: number }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const spawnedAt = performance.now();
  const child = startChild(name, "npm", ["start"], {
    cwd: APP_DIR,
    env: childEnv({ PORT: String(port), NEXTAUTH_URL: base, ...env }),
    logFile: join(LOGS, `${name}.log`),
  });
  try {
    await waitUntil(`${name} /signin`, async () => (await status(`${base}/signin`)) === 200, { timeoutMs: 180_000, intervalMs: 50, child });
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { base, child, msToReady: performance.now() - spawnedAt };
}

async function startFloor(name: string, url: string, poolMax: number, secret: string): Promise<Server> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = startChild(name, process.execPath, ["--import", "tsx", join("bench", "floor.ts")], {
    cwd: ROOT,
    env: childEnv({ FLOOR_PORT: String(port), FLOOR_DATABASE_URL: url, FLOOR_POOL_MAX: String(poolMax), NEXTAUTH_SECRET: secret }),
    logFile: join(LOGS, `${name}.log`),
  });
  try {
    await waitUntil(`${name} /health`, async () => (await status(`${base}/health`)) === 200, { timeoutMs: 60_000, child });
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { base, child };
}

type Ids = { id: string }[];

function endpoints(app: Server, floor: Server | undefined, cookie: string, data: ReferenceData, tag: string) {
  const headers = { cookie };
  const json = { cookie, "content-type": "application/json" };
  const history = { sessionId: data.bigSessionId, before: data.middleBeforeId, limit: 50 };
  let appSent = 0;
  let floorSent = 0;
  const sendInput = (n: number, who: string) => ({
    sessionId: data.sendSessionIds[n % data.sendSessionIds.length]!,
    content: `Bench message ${n} from the ${who}: how are the numbers today?`,
    clientId: `bench-${tag}-${who}-${n}`,
  });
  const qs = new URLSearchParams({ sessionId: history.sessionId, before: history.before, limit: "50" });
  return {
    listSessions: {
      app: { base: app.base, method: "GET", path: trpcQueryPath("chat.listSessions", { limit: 20 }), headers } satisfies Endpoint,
      floor: floor && ({ base: floor.base, method: "GET", path: "/listSessions?limit=20", headers } satisfies Endpoint),
    },
    listMessages: {
      app: { base: app.base, method: "GET", path: trpcQueryPath("chat.listMessages", history), headers } satisfies Endpoint,
      floor: floor && ({ base: floor.base, method: "GET", path: `/listMessages?${qs}`, headers } satisfies Endpoint),
    },
    sendMessage: {
      app: { base: app.base, method: "POST", path: "/api/trpc/chat.sendMessage", headers: json, body: () => trpcMutationBody(sendInput(appSent++, "app")) } satisfies Endpoint,
      floor: floor && ({ base: floor.base, method: "POST", path: "/sendMessage", headers: json, body: () => JSON.stringify(sendInput(floorSent++, "floor")) } satisfies Endpoint),
    },
  };
}

/** The app and the floor answer the same rows for the same question: the floor does the same work. */
async function checkSameWork(app: Server, floor: Server | undefined, cookie: string, data: ReferenceData): Promise<void> {
  const sessions = await trpcQuery<{ sessions: Ids; total: number }>(app.base, cookie, "chat.listSessions", { limit: 20 });
  if (sessions.sessions.length !== Math.min(20, data.counts.userSessions)) throw new Error(`app listSessions returned ${sessions.sessions.length} sessions`);
  const history = await trpcQuery<{ messages: { id: string; seq: number }[]; hasMore: boolean }>(app.base, cookie, "chat.listMessages", {
    sessionId: data.bigSessionId, before: data.middleBeforeId, limit: 50,
  });
  const middle = Math.floor(data.counts.bigSession / 2) + 1;
  if (history.messages.length !== 50 || history.messages[49]!.seq !== middle - 1 || !history.hasMore) {
    throw new Error(`app listMessages did not return seq ${middle - 50}..${middle - 1}`);
  }
  if (!floor) return;
  const fs = await getJson<{ sessions: Ids; total: number }>(`${floor.base}/listSessions?limit=20`, { cookie });
  const fm = await getJson<{ messages: Ids }>(
    `${floor.base}/listMessages?${new URLSearchParams({ sessionId: data.bigSessionId, before: data.middleBeforeId, limit: "50" })}`,
    { cookie },
  );
  const same = (a: Ids, b: Ids) => a.map((r) => r.id).join() === b.map((r) => r.id).join();
  if (!same(sessions.sessions, fs.sessions) || sessions.total !== fs.total) throw new Error("floor listSessions differs from the app's");
  if (!same(history.messages, fm.messages)) throw new Error("floor listMessages differs from the app's");
}

type Target = { label: string; endpoint: Endpoint };

/** The median of each figure over rounds (requests, errors and time add up). */
function combine(ms: Measurement[]): Measurement {
  if (ms.length === 1) return ms[0]!;
  return {
    requests: ms.reduce((s, m) => s + m.requests, 0),
    errors: ms.reduce((s, m) => s + m.errors, 0),
    non2xx: ms.reduce((s, m) => s + m.non2xx, 0),
    seconds: ms.reduce((s, m) => s + m.seconds, 0),
    throughput: median(ms.map((m) => m.throughput)),
    p50: median(ms.map((m) => m.p50)),
    p90: median(ms.map((m) => m.p90)),
    p99: median(ms.map((m) => m.p99)),
    mean: median(ms.map((m) => m.mean)),
    max: Math.max(...ms.map((m) => m.max)),
  };
}

/**
 * Measures the targets in turn, `rounds` times over (A B C D, A B C D, …), so that whatever else
 * the shared machine does falls on all of them alike; each target warms up before its first round.
 */
async function series(targets: Target[]): Promise<Measurement[][]> {
  const out: Measurement[][] = targets.map(() => []);
  for (let round = 0; round < config.rounds; round++) {
    for (const [i, t] of targets.entries()) {
      const m = await measure(t.endpoint, { connections: config.connections, seconds: config.seconds, warmupSeconds: round === 0 ? config.warmup : 0 });
      say(`  ${t.label.padEnd(34)} p50 ${ms(m.p50).padStart(9)}  p99 ${ms(m.p99).padStart(9)}  ${rps(m.throughput).padStart(8)}  errors ${m.errors + m.non2xx}${config.rounds > 1 ? `  (round ${round + 1})` : ""}`);
      out[i]!.push(m);
    }
  }
  return out;
}

function toPair(app: Measurement[], floor?: Measurement[]): Pair {
  return {
    app: combine(app),
    floor: floor && combine(floor),
    ...(app.length > 1 ? { rounds: app.map((a, i) => ({ app: a, floor: floor?.[i] })) } : {}),
  };
}

async function sendCountersConsistent(url: string, data: ReferenceData): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "ChatSession" s
       JOIN (SELECT "sessionId", count(*) AS c, max(seq) AS mx FROM "Message" WHERE "sessionId" = ANY($1) GROUP BY 1) m ON m."sessionId" = s.id
       WHERE s.id = ANY($1) AND (m.c <> s."messageCount" OR m.mx <> s."messageCount")`,
      [data.sendSessionIds],
    );
    return rows[0]!.n === 0;
  } finally {
    await client.end();
  }
}

const dataSummary = (d: ReferenceData) => ({ ...d.counts });

async function main(): Promise<Results> {
  installExitHandlers();
  rmSync(LOGS, { recursive: true, force: true });
  await mkdir(LOGS, { recursive: true });
  const machine = machineInfo();
  const results: Results = {
    machine,
    config: { ...config, pgliteScale, skip: [...skip].join(",") },
    firstLoad: { target: { route: "/chat/[sessionId]", found: false }, reference: { route: "/chat", found: false } },
    eventLatency: { measured: false, reason: "not measured: live updates not built yet" },
    budgets: [],
    notes: [],
    errors: [],
  };
  const snapshot = await snapshotBuild(BUILD_ROOT, say);
  APP_DIR = snapshot.dir;
  machine.buildId = snapshot.buildId;
  const dist = join(APP_DIR, ".next");
  results.firstLoad = { target: firstLoadJs("/chat/[sessionId]", dist), reference: firstLoadJs("/chat", dist) };
  say(`BENCH_SCALE=${config.scale}, ${config.connections} connections, ${config.rounds} × ${config.seconds} s per call and server (+${config.warmup} s warm-up), build ${machine.buildId}`);

  const secret = randomBytes(32).toString("base64url");
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  let onEventExists = false;

  // ---- PostgreSQL: app vs floor, statements, flatness ----
  if (!skip.has("postgres")) {
    // What this phase started, stopped at its end whatever happens (newest first).
    const stops: (() => Promise<void>)[] = [];
    try {
      const server = await startPgServer();
      stops.push(server.stop);
      say(`PostgreSQL ${server.version} (${server.kind})`);
      const fullUrl = await server.createDatabase("full");
      await migrate(fullUrl);
      say(`loading the reference data at scale ${config.scale} …`);
      const data = await loadReferenceData(fullUrl, { scale: config.scale, passwordHash, log: say });
      say(`loaded in ${(data.loadMs / 1000).toFixed(1)} s`);
      let small: { url: string; data: ReferenceData } | undefined;
      if (!skip.has("flatness")) {
        const smallUrl = await server.createDatabase("tenth");
        await migrate(smallUrl);
        say(`loading the flatness data at scale ${config.scale / 10} …`);
        small = { url: smallUrl, data: await loadReferenceData(smallUrl, { scale: config.scale / 10, passwordHash }) };
        say(`loaded in ${(small.data.loadMs / 1000).toFixed(1)} s`);
      }

      // All four servers run at once; the calls are measured interleaved across them, so that the
      // app/floor and full/tenth ratios compare figures taken close together in time.
      const appEnv = { DATABASE_URL: fullUrl, NEXTAUTH_SECRET: secret, DATABASE_POOL_MAX: String(config.poolMax) };
      const app = await startApp("app-postgres", appEnv);
      stops.push(app.child.stop);
      const floor = await startFloor("floor-postgres", fullUrl, config.poolMax, secret);
      stops.push(floor.child.stop);
      const cookie = await signIn(app.base, data.email, data.password);
      await checkSameWork(app, floor, cookie, data);
      const e = endpoints(app, floor, cookie, data, `${process.pid}-full`);
      let e2: ReturnType<typeof endpoints> | undefined;
      if (small) {
        const app2 = await startApp("app-postgres-tenth", { ...appEnv, DATABASE_URL: small.url });
        stops.push(app2.child.stop);
        const floor2 = await startFloor("floor-postgres-tenth", small.url, config.poolMax, secret);
        stops.push(floor2.child.stop);
        const cookie2 = await signIn(app2.base, small.data.email, small.data.password);
        await checkSameWork(app2, floor2, cookie2, small.data);
        e2 = endpoints(app2, floor2, cookie2, small.data, `${process.pid}-tenth`);
      }
      say(`servers up, signed in, app and floor return the same rows; measuring${config.rounds > 1 ? ` (${config.rounds} rounds)` : ""} …`);
      const tenth = `${config.scale / 10}`;
      const measured: Record<string, Pair> = {};
      for (const call of ["listSessions", "listMessages"] as const) {
        const targets: Target[] = [
          { label: `${call} app`, endpoint: e[call].app },
          { label: `${call} floor`, endpoint: e[call].floor! },
          ...(e2 ? [{ label: `${call} app at ${tenth}`, endpoint: e2[call].app }, { label: `${call} floor at ${tenth}`, endpoint: e2[call].floor! }] : []),
        ];
        const [a, f, a2, f2] = await series(targets);
        measured[call] = toPair(a!, f);
        if (a2) measured[`${call}-tenth`] = toPair(a2, f2);
      }
      const [sa, sf] = await series([
        { label: "sendMessage app", endpoint: e.sendMessage.app },
        { label: "sendMessage floor", endpoint: e.sendMessage.floor! },
      ]);
      results.postgres = {
        server: `${server.version} (${server.kind})`,
        data: dataSummary(data),
        loadSeconds: data.loadMs / 1000,
        listSessions: measured.listSessions!,
        listMessages: measured.listMessages!,
        sendMessage: toPair(sa!, sf),
        sendCountersConsistent: await sendCountersConsistent(fullUrl, data),
      };
      if (small) {
        results.flatness = {
          scale: config.scale / 10,
          data: dataSummary(small.data),
          loadSeconds: small.data.loadMs / 1000,
          listSessions: measured["listSessions-tenth"]!,
          listMessages: measured["listMessages-tenth"]!,
        };
      }
      for (const stop of stops.splice(1).reverse()) await stop();

      if (!skip.has("statements")) {
        try {
          const counted = await countStatements(fullUrl, data);
          results.statements = counted.counts;
          onEventExists = counted.onEventExists;
          say(`statements: ${counted.counts.map((c) => `${c.call} ${c.count}`).join("; ")}`);
        } catch (error) {
          results.errors.push(`statement counts: ${(error as Error).message}`);
        }
      }
    } catch (error) {
      results.errors.push(`PostgreSQL phase: ${(error as Error).stack ?? error}`);
      say(`PostgreSQL phase failed: ${(error as Error).message}`);
    } finally {
      for (const stop of stops.reverse()) await stop().catch((e: Error) => say(`stopping: ${e.message}`));
    }
  }

  // ---- The embedded default: cold start, then PGlite with the reference data ----
  if (!skip.has("pglite")) {
    let stopEmbedded: (() => Promise<void>) | undefined;
    try {
      const dataDir = await tempDir("pitchat-bench-pglite-");
      const dbPort = await freePort();
      say("embedded default: `npm start` with an empty data dir (cold start) …");
      const app = await startApp("app-pglite", { PITCHAT_DATA_DIR: dataDir, PITCHAT_DB_PORT: String(dbPort) });
      stopEmbedded = app.child.stop;
      const log = readFileSync(app.child.logFile, "utf8");
      const dbReady = /Database ready in (\d+) ms/.exec(log);
      results.coldStart = { msToFirst200: app.msToReady, dbReadyMs: dbReady ? Number(dbReady[1]) : undefined };
      say(`cold start: first 200 from /signin after ${(app.msToReady / 1000).toFixed(1)} s`);
      const url = `postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres?sslmode=disable`;
      say(`loading the reference data into PGlite at scale ${pgliteScale} …`);
      const data = await loadReferenceData(url, { scale: pgliteScale, passwordHash, log: say });
      say(`loaded in ${(data.loadMs / 1000).toFixed(1)} s`);
      const cookie = await signIn(app.base, data.email, data.password);
      await checkSameWork(app, undefined, cookie, data);
      const e = endpoints(app, undefined, cookie, data, `${process.pid}-pglite`);
      results.pglite = {
        scale: pgliteScale,
        how: "`npm start` with DATABASE_URL unset (PGlite in the run script's process, the app's pool at its embedded default), data loaded through its socket",
        data: dataSummary(data),
        loadSeconds: data.loadMs / 1000,
        listSessions: toPair((await series([{ label: "listSessions app (PGlite)", endpoint: e.listSessions.app }]))[0]!),
        listMessages: toPair((await series([{ label: "listMessages app (PGlite)", endpoint: e.listMessages.app }]))[0]!),
      };
    } catch (error) {
      results.errors.push(`embedded phase: ${(error as Error).stack ?? error}`);
      say(`embedded phase failed: ${(error as Error).message}`);
    } finally {
      await stopEmbedded?.().catch((e: Error) => say(`stopping: ${e.message}`));
    }
  }

  // ---- A 10,000-message thread in Chromium: DOM bounded, no long main-thread task while scrolling ----
  if (!skip.has("thread")) {
    try {
      results.thread = await measureThread({
        startApp,
        passwordHash,
        password: BENCH_PASSWORD,
        say,
        loadavg: () => loadavg().map((l) => l.toFixed(2)).join(" "),
      });
      const t = results.thread;
      say(
        `thread: max ${t.maxDom} message elements in the DOM; scrolling: ${t.scroll.longTasks.count} long tasks (max ${ms(t.scroll.longTasks.max)}), ` +
          `frame gaps p95 ${ms(t.scroll.frames.p95)} max ${ms(t.scroll.frames.max)}; open: ${t.open.longTasks.count} long tasks (max ${ms(t.open.longTasks.max)}); ` +
          `${t.totalSeconds.toFixed(0)} s in all`,
      );
    } catch (error) {
      results.errors.push(`thread phase: ${(error as Error).stack ?? error}`);
      say(`thread phase failed: ${(error as Error).message}`);
    }
  }

  if (onEventExists) results.eventLatency.reason = "not measured: chat.onEvent exists, but the bench has no event-latency measurement yet";
  machine.loadAfter = loadavg().map((l) => l.toFixed(2)).join(" ");
  results.budgets = budgets(results);
  results.notes.push(...notes(results));
  return results;
}

function verdict(ok: boolean | undefined): BudgetRow["verdict"] {
  return ok === undefined ? "not measured" : ok ? "PASS" : "FAIL";
}

function budgets(r: Results): BudgetRow[] {
  const rows: BudgetRow[] = [];
  const scaleNote = atReference ? "" : ` [BENCH_SCALE=${config.scale}]`;
  for (const s of r.statements ?? []) {
    rows.push({ what: `SQL statements per ${s.call}`, figure: String(s.count), budget: `≤ ${s.budget}`, verdict: verdict(s.count <= s.budget) });
  }
  if (!r.statements) rows.push({ what: "SQL statements per call", figure: "–", budget: "≤ 3 / 2 / 5", verdict: "not measured" });
  for (const [label, p] of [["chat.listSessions (20)", r.postgres?.listSessions], ["chat.listMessages (50, middle of the big session)", r.postgres?.listMessages]] as const) {
    const q = ratio(p?.app?.p50, p?.floor?.p50);
    rows.push({
      what: `${label}: p50 app ÷ floor, PostgreSQL${scaleNote}`,
      figure: p?.app ? `${ms(p.app.p50)} ÷ ${ms(p.floor?.p50)} = ${x(q)}` : "–",
      budget: "≤ 2×",
      verdict: verdict(Number.isNaN(q) ? undefined : q <= 2 && (p!.app!.errors + p!.app!.non2xx === 0)),
    });
  }
  for (const [label, full, small] of [
    ["chat.listSessions (20)", r.postgres?.listSessions, r.flatness?.listSessions],
    ["chat.listMessages (50)", r.postgres?.listMessages, r.flatness?.listMessages],
  ] as const) {
    const q = ratio(full?.app?.p50, small?.app?.p50);
    rows.push({
      what: `${label}: p50 at ${config.scale} ÷ p50 at ${config.scale / 10} (flat)`,
      figure: full?.app && small?.app ? `${ms(full.app.p50)} ÷ ${ms(small.app.p50)} = ${x(q)} (floor ${x(ratio(full.floor?.p50, small.floor?.p50))})` : "–",
      budget: "0.80× – 1.20×",
      verdict: verdict(Number.isNaN(q) ? undefined : q >= 0.8 && q <= 1.2),
    });
  }
  const send = r.postgres?.sendMessage;
  const sendErrors = send?.app ? send.app.errors + send.app.non2xx : undefined;
  rows.push({
    what: `chat.sendMessage, ${config.connections} concurrent clients, PostgreSQL${scaleNote}`,
    figure: send?.app
      ? `${sendErrors} errors; ${rps(send.app.throughput)} (floor ${rps(send.floor?.throughput)}, ${x(ratio(send.app.throughput, send.floor?.throughput))}); counters ${r.postgres?.sendCountersConsistent ? "consistent" : "INCONSISTENT"}`
      : "–",
    budget: "no errors; throughput beside the floor",
    verdict: verdict(send?.app ? sendErrors === 0 && r.postgres?.sendCountersConsistent === true : undefined),
  });
  rows.push({ what: "agent reply → event at a subscribed client, 1,000 subscriptions", figure: r.eventLatency.reason, budget: "p99 < 50 ms", verdict: "not measured" });
  const fl = r.firstLoad.target;
  rows.push({
    what: "first-load JavaScript of /chat/[sessionId] (gzip)",
    figure: fl.found ? kB(fl.gzipBytes!) : `not measured: route not in the build (/chat: ${r.firstLoad.reference.found ? kB(r.firstLoad.reference.gzipBytes!) : "–"})`,
    budget: "≤ 180 kB (180,000 bytes)",
    verdict: verdict(fl.found ? fl.gzipBytes! <= 180_000 : undefined),
  });
  const t = r.thread;
  rows.push({
    what: `a ${THREAD_MESSAGES.toLocaleString("en")}-message thread in Chromium, wheeled from the newest to the oldest and back: message elements in the DOM; long tasks while scrolling`,
    figure: t
      ? `${t.complete ? "" : "INCOMPLETE (time limit): "}max ${t.maxDom} elements; scrolling ${(t.scroll.ms / 1000).toFixed(0)} s: ${t.scroll.longTasks.count} long tasks > 50 ms` +
        (t.scroll.longTasks.count ? ` (max ${ms(t.scroll.longTasks.max)}, p95 ${ms(t.scroll.longTasks.p95)})` : "") +
        `, frame gap p95 ${ms(t.scroll.frames.p95)}, max ${ms(t.scroll.frames.max)}; open: ${t.open.longTasks.count} long tasks` +
        (t.open.longTasks.count ? ` (max ${ms(t.open.longTasks.max)})` : "") +
        `; reading position: ${t.position.over2px} of ${t.position.measured} slow steps moved the view > 2 px`
      : "–",
    budget: "≤ 100 elements; no long task > 50 ms while scrolling",
    verdict: verdict(t ? t.complete && t.maxDom <= 100 && t.scroll.longTasks.count === 0 : undefined),
  });
  rows.push({
    what: "cold start of `npm start`, embedded default, empty data dir → first 200 from /signin",
    figure: r.coldStart ? `${(r.coldStart.msToFirst200 / 1000).toFixed(1)} s${r.coldStart.dbReadyMs ? ` (database ready after ${(r.coldStart.dbReadyMs / 1000).toFixed(1)} s)` : ""}` : "–",
    budget: "reported",
    verdict: r.coldStart ? "reported" : "not measured",
  });
  if (r.pglite) {
    rows.push({
      what: `PGlite (embedded): listSessions / listMessages p50${pgliteScale === 1 ? "" : ` [scale ${pgliteScale}]`}`,
      figure: `${ms(r.pglite.listSessions.app?.p50)} / ${ms(r.pglite.listMessages.app?.p50)}`,
      budget: "reported",
      verdict: "reported",
    });
  }
  return rows;
}

function notes(r: Results): string[] {
  const n: string[] = [];
  if (!atReference) n.push(`BENCH_SCALE=${config.scale}: not the reference data of BUDGETS.md; verdicts are indicative only.`);
  if (r.pglite && pgliteScale !== config.scale) n.push(`PGlite ran at scale ${pgliteScale} (BENCH_PGLITE_SCALE), not ${config.scale}.`);
  if (!r.firstLoad.target.found) n.push("/chat/[sessionId] is not in the build yet; /chat is shown for reference.");
  return n;
}

let exitCode = 0;
try {
  const results = await main();
  const markdown = toMarkdown(results);
  console.log(`\n${markdown}`);
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, "latest.md"), markdown);
  await writeFile(join(RESULTS, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  say(`written to ${relative(ROOT, RESULTS) || "."}/latest.md and latest.json (child logs in ${relative(ROOT, LOGS)})`);
  if (results.errors.length) exitCode = 1;
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await cleanupAll();
}
process.exit(exitCode);
