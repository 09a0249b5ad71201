/**
 * `npm run bench`: the performance budgets of BUDGETS.md, measured over HTTP against the production
 * build. See bench/README.md for the method. Environment:
 *   BENCH_SCALE=1          row counts of the reference data (0.05 for development)
 *   BENCH_SECONDS=5        seconds per measurement; BENCH_WARMUP=3 seconds of warm-up before the first
 *   BENCH_ROUNDS=3         rounds, interleaved over the servers; figures are medians over rounds
 *   BENCH_CONNECTIONS=16   concurrent clients
 *   BENCH_POOL_MAX=10      pg pool of the app and of the floor on PostgreSQL
 *   BENCH_PAUSE_OTHERS=1   pause the other servers while one is measured (0: leave them all running)
 *   BENCH_PGLITE_SCALE     scale of the data loaded into the embedded PGlite (default BENCH_SCALE)
 *   BENCH_DATABASE_URL     an admin URL of a PostgreSQL server to use instead of a throwaway cluster
 *   BENCH_SKIP             comma list of phases to skip (see PHASES below and bench/README.md)
 *   BENCH_ONLY             comma list of the only phases to run (also `npm run bench -- thread`)
 *   BENCH_ORIGINAL_DIR     the original (Flask) to measure beside the app (default ../shared/seed-bench)
 *   BENCH_NODE20           a Node 20 binary to run the app on beside Node 24 (default /usr/bin/node when it is 20)
 *   BENCH_PROFILE=1        itemise each call's CPU by layer from a profiled run of the app
 *   BENCH_OUT=bench/results  where latest.md, latest.json and logs.tmp/ go
 *   BENCH_BUILD_ROOT       a checkout whose .next to bench instead of this tree's
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join, relative, resolve } from "node:path";
import { hashPassword } from "@/server/auth/password";
import { migrate } from "@/server/migrations";
import { measureAgents } from "./lib/agents";
import { firstLoadJs } from "./lib/bundle";
import { measureLive } from "./lib/live";
import { checkOriginal, findOriginal, loadOriginal, originalEndpoints, resetOriginal, startOriginal, startOriginalFloor, type Original, type OriginalServer } from "./lib/original";
import { breakdown } from "./lib/profile";
import { measureSearch } from "./lib/search";
import { signIn, status, trpcMutationBody, trpcQuery, trpcQueryPath, getJson } from "./lib/http";
import { BENCH_PASSWORD, loadReferenceData, type ReferenceData } from "./lib/load";
import { measure, median, type Endpoint, type Measurement } from "./lib/measure";
import { startPgServer } from "./lib/pg-cluster";
import { snapshotBuild } from "./lib/snapshot";
import { cleanupAll, freePort, installExitHandlers, sleep, startChild, tempDir, waitUntil, type Child } from "./lib/procs";
import { CALLS, kB, ms, ratio, rps, TARGETS, toMarkdown, x, type BudgetRow, type CallName, type Pair, type Results, type TargetName } from "./lib/report";
import { countStatements } from "./lib/statements";
import { query as sql } from "../src/test/databases";
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
  pauseOthers: process.env.BENCH_PAUSE_OTHERS === "0" ? 0 : 1,
};
const pgliteScale = num("BENCH_PGLITE_SCALE", config.scale);
// postgres: the app, its floor and the targets below measured in the same rounds; original, scaleout
// and node20 are targets of that phase; agents, live, search and profile use its app afterwards.
const PHASES = ["postgres", "flatness", "statements", "original", "scaleout", "node20", "agents", "live", "search", "profile", "pglite", "thread"] as const;
const PART_OF_POSTGRES = new Set(["flatness", "statements", "original", "scaleout", "node20", "agents", "live", "search", "profile"]);
const list = (raw: string | undefined) => (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean);
const skip = new Set(list(process.env.BENCH_SKIP));
// `BENCH_ONLY=thread` or `npm run bench -- thread`: every other phase is skipped. Flatness and
// statements run on the PostgreSQL phase's databases, so naming them runs that phase too.
const only = new Set([...list(process.env.BENCH_ONLY), ...process.argv.slice(2).flatMap((a) => list(a))]);
for (const phase of only) if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`unknown phase ${phase}: one of ${PHASES.join(", ")}`);
if (only.size) {
  if ([...only].some((phase) => PART_OF_POSTGRES.has(phase))) only.add("postgres");
  for (const phase of PHASES) if (!only.has(phase)) skip.add(phase);
}
// Itemising the CPU of a request takes a profiled run of its own: asked for, not by default.
if (process.env.BENCH_PROFILE !== "1" && !only.has("profile")) skip.add("profile");
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

type Server = { base: string; child: Child; /** The Next server's pid(s), from its log. */ serverPids: number[] };

/** The Next server processes of an app, from the lines src/instrumentation.ts logs when each is up. */
function serverPidsOf(logFile: string): number[] {
  return [...readFileSync(logFile, "utf8").matchAll(/Pit Chat server \(pid (\d+)\)/g)].map((m) => Number(m[1]));
}

/**
 * `npm start` on a spare port; ready when /signin answers 200 and as many instances as asked
 * (WEB_CONCURRENCY) said they are up. `node` runs the launcher with another Node binary instead.
 */
async function startApp(name: string, env: Record<string, string>, options: { instances?: number; node?: string } = {}): Promise<Server & { msToReady: number }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const spawnedAt = performance.now();
  const [command, args] = options.node ? [options.node, [join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/run.ts", "start"]] : ["npm", ["start"]];
  const child = startChild(name, command, args, {
    cwd: APP_DIR,
    env: childEnv({ PORT: String(port), NEXTAUTH_URL: base, ...env }),
    logFile: join(LOGS, `${name}.log`),
  });
  const instances = options.instances ?? 1;
  try {
    await waitUntil(`${name} /signin`, async () => (await status(`${base}/signin`)) === 200 && serverPidsOf(child.logFile).length >= instances, { timeoutMs: 180_000, intervalMs: 50, child });
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { base, child, serverPids: serverPidsOf(child.logFile), msToReady: performance.now() - spawnedAt };
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
  return { base, child, serverPids: [child.proc.pid!] };
}

type Ids = { id: string }[];

/** The signed-in user's cookie, and those of the 16 users who send one each (data.senders). */
type Cookies = { user: string; senders: string[] };

async function signInAll(base: string, data: ReferenceData): Promise<Cookies> {
  const senders: string[] = [];
  for (const sender of data.senders) senders.push(await signIn(base, sender.email, data.password));
  return { user: await signIn(base, data.email, data.password), senders };
}

function endpoints(app: Server, cookies: Cookies, data: ReferenceData, tag: string, pgPid: number | undefined, kind: "app" | "floor" = "app") {
  const cookie = cookies.user;
  const history = { sessionId: data.bigSessionId, before: data.middleBeforeId, limit: 50 };
  let sent = 0;
  const content = () => `Bench message ${sent} from the ${tag}: how are the numbers today?`;
  const clientId = () => `bench-${process.pid}-${tag}-${sent++}`;
  const body = (input: unknown) => (kind === "floor" ? JSON.stringify(input) : trpcMutationBody(input));
  // One user, 16 sessions: every send takes that user's row lock (its event sequence).
  const oneUser = () => ({
    headers: { cookie, "content-type": "application/json" },
    body: body({ sessionId: data.sendSessionIds[sent % data.sendSessionIds.length]!, content: content(), clientId: clientId() }),
  });
  // 16 users, one session each, in turn: as people send.
  const manyUsers = () => {
    const k = sent % data.senders.length;
    return { headers: { cookie: cookies.senders[k]!, "content-type": "application/json" }, body: body({ sessionId: data.senders[k]!.sessionId, content: content(), clientId: clientId() }) };
  };
  const common = { base: app.base, pid: app.child.proc.pid, pgPid };
  const sendPath = kind === "floor" ? "/sendMessage" : "/api/trpc/chat.sendMessage";
  const sends = {
    sendMessage: { ...common, method: "POST", path: sendPath, headers: {}, perRequest: manyUsers },
    sendOneUser: { ...common, method: "POST", path: sendPath, headers: {}, perRequest: oneUser },
  } as const;
  if (kind === "floor") {
    const qs = new URLSearchParams({ sessionId: history.sessionId, before: history.before, limit: "50" });
    return {
      listSessions: { ...common, method: "GET", path: "/listSessions?limit=20", headers: { cookie } },
      listMessages: { ...common, method: "GET", path: `/listMessages?${qs}`, headers: { cookie } },
      ...sends,
    } satisfies Record<CallName, Endpoint>;
  }
  return {
    listSessions: { ...common, method: "GET", path: trpcQueryPath("chat.listSessions", { limit: 20 }), headers: { cookie } },
    listMessages: { ...common, method: "GET", path: trpcQueryPath("chat.listMessages", history), headers: { cookie } },
    ...sends,
  } satisfies Record<CallName, Endpoint>;
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

type Target = { name: TargetName; endpoint: Endpoint; /** Runs after each of its measurements (a send's queue drained). */ after?: () => Promise<void> };

/**
 * The processes of each server measured in the postgres phase, and the servers each one needs
 * running beside it. While one is measured the others are paused (SIGSTOP, then SIGCONT), so each
 * figure is of that server alone on the machine, as it would run: an app instance left running
 * beside the measured one is not idle, as its workers take the measured one's dispatch jobs and
 * its listener gets every notification, and four instances on two cores measured as one ran each
 * send at twice the CPU of one instance alone. The floor's jobs are taken by the app's workers,
 * so the one instance `app` runs beside it.
 */
const servers = new Map<TargetName, Child[]>();
const alongside: Partial<Record<TargetName, TargetName[]>> = { floor: ["app"] };

/** Pauses every server but `name` (and those it needs), once no transaction is open (quiesce). */
async function runAlone(name: TargetName): Promise<void> {
  if (!config.pauseOthers) return;
  await quiesce();
  const keep = new Set([name, ...(alongside[name] ?? [])]);
  for (const [other, children] of servers) if (!keep.has(other)) for (const c of children) c.pause();
  for (const kept of keep) for (const c of servers.get(kept) ?? []) c.resume();
}

/** The cluster the postgres phase runs on, for quiesce. */
let clusterUrl: string | undefined;

/**
 * Before servers are paused: waits until no client of the cluster is inside a transaction (up to
 * 5 s), i.e. the requests still in flight when the load stopped have finished. A server stopped mid-transaction keeps its row locks: the original paused inside a send
 * held a chat's row, and every send of its floor to that chat waited behind it (0 sends/s in a
 * round), and a paused floor did the same to the original's next round and the app to its floor.
 */
async function quiesce(): Promise<void> {
  if (!clusterUrl) return;
  const busy = async () =>
    (await sql<{ n: number }>(clusterUrl!, `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`))[0]!.n;
  const deadline = performance.now() + 5_000;
  let quiet = 0;
  while (quiet < 2 && performance.now() < deadline) {
    quiet = (await busy()) === 0 ? quiet + 1 : 0;
    if (quiet < 2) await sleep(50);
  }
  if (quiet < 2) say(`  (still ${await busy()} transaction(s) open after 5 s; pausing anyway)`);
}

function resumeAll(): void {
  for (const children of servers.values()) for (const c of children) c.resume();
}

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
    cpuMs: median(ms.map((m) => m.cpuMs)),
    pgCpuMs: median(ms.map((m) => m.pgCpuMs)),
  };
}

/**
 * Measures the targets in turn, `rounds` times over (A B C D, A B C D, …), so that whatever else
 * the shared machine does falls on all of them alike; each target warms up before its first round.
 */
async function series(call: CallName, targets: Target[]): Promise<Map<TargetName, Measurement[]>> {
  const out = new Map<TargetName, Measurement[]>(targets.map((t) => [t.name, []]));
  try {
    for (let round = 0; round < config.rounds; round++) {
      for (const t of targets) {
        await runAlone(t.name);
        const m = await measure(t.endpoint, { connections: config.connections, seconds: config.seconds, warmupSeconds: round === 0 ? config.warmup : 0 });
        const cpu = Number.isNaN(m.cpuMs) ? "" : `  cpu/req ${m.cpuMs.toFixed(2)} ms${Number.isNaN(m.pgCpuMs) ? "" : ` + PostgreSQL ${m.pgCpuMs.toFixed(2)} ms`}`;
        say(`  ${`${call} ${t.name}`.padEnd(34)} p50 ${ms(m.p50).padStart(9)}  p99 ${ms(m.p99).padStart(9)}  ${rps(m.throughput).padStart(8)}  errors ${m.errors + m.non2xx}${cpu}${config.rounds > 1 ? `  (round ${round + 1})` : ""}`);
        out.get(t.name)!.push(m);
        await t.after?.();
      }
    }
  } finally {
    resumeAll();
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
  const rows = await sql<{ n: number }>(
    url,
    `SELECT count(*)::int AS n FROM "ChatSession" s
     JOIN (SELECT "sessionId", count(*) AS c, max(seq) AS mx FROM "Message" WHERE "sessionId" = ANY($1) GROUP BY 1) m ON m."sessionId" = s.id
     WHERE s.id = ANY($1) AND (m.c <> s."messageCount" OR m.mx <> s."messageCount")`,
    [[...data.sendSessionIds, ...data.senders.map((s) => s.sessionId)]],
  );
  return rows[0]!.n === 0;
}


/**
 * Waits until no dispatch job is waiting or running (the app's workers have taken every send's
 * job), so that one target's sends do not load the machine while the next is measured.
 */
async function drainQueue(url: string): Promise<{ left: number; seconds: number }> {
  const started = performance.now();
  const pending = async () =>
    (await sql<{ n: number }>(url, `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'pitchat-dispatch' AND state < 'completed'`))[0]!.n;
  let left = await pending();
  while (left > 0 && performance.now() - started < 120_000) {
    await sleep(250);
    left = await pending();
  }
  return { left, seconds: (performance.now() - started) / 1000 };
}

/** A Node 20 binary to run the app on beside Node 24 (issue 12), or why there is none. */
function node20(): { path: string } | { skip: string } {
  const path = process.env.BENCH_NODE20 ?? "/usr/bin/node";
  const version = spawnSync(path, ["--version"], { encoding: "utf8" }).stdout?.trim() ?? "";
  if (!/^v20\./.test(version)) return { skip: `not measured: no Node 20 at ${path} (set BENCH_NODE20)` };
  return { path };
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
  const { appRouter } = await import("@/server/api/root");
  const procedures = Object.keys((appRouter as unknown as { _def: { procedures: Record<string, unknown> } })._def.procedures);

  // ---- PostgreSQL: the app beside its floor and the original, in the same rounds; statements; flatness ----
  if (!skip.has("postgres")) {
    // What this phase started, stopped at its end whatever happens (newest first).
    const stops: (() => Promise<void>)[] = [];
    try {
      const server = await startPgServer(join(LOGS, "postgres.log"));
      stops.push(server.stop);
      say(`PostgreSQL ${server.version} (${server.kind})`);
      const pgPid = server.pid;
      clusterUrl = server.adminUrl;
      const fullUrl = await server.createDatabase("full");
      await migrate(fullUrl);
      say(`loading the reference data at scale ${config.scale} …`);
      const data = await loadReferenceData(fullUrl, { scale: config.scale, passwordHash, log: say });
      say(`loaded in ${(data.loadMs / 1000).toFixed(1)} s`);
      // The sends measure storing a message and handing it over, not replying: the bench's bots
      // have no agent here, so each send's job is taken at once and ends without a reply (as for a
      // bot without an agent), and the agents phase measures replies, at a pace an agent keeps up with.
      await sql(fullUrl, `UPDATE "Bot" SET "agentId" = NULL WHERE id LIKE 'bench-b%'`);
      let small: { url: string; data: ReferenceData } | undefined;
      if (!skip.has("flatness")) {
        const smallUrl = await server.createDatabase("tenth");
        await migrate(smallUrl);
        say(`loading the flatness data at scale ${config.scale / 10} …`);
        small = { url: smallUrl, data: await loadReferenceData(smallUrl, { scale: config.scale / 10, passwordHash }) };
        say(`loaded in ${(small.data.loadMs / 1000).toFixed(1)} s`);
      }
      const skipped: Partial<Record<TargetName, string>> = {};
      let original: Original | undefined;
      if (!skip.has("original")) {
        const found = findOriginal(ROOT);
        if ("skip" in found) skipped.original = skipped["original's floor"] = found.skip;
        else {
          say(`loading the original's reference data (${found.dir}/gen_data.py) …`);
          original = await loadOriginal(found.dir, await server.createDatabase("original"), secret, say);
          say(`loaded in ${original.loadSeconds.toFixed(1)} s`);
        }
      } else skipped.original = skipped["original's floor"] = "not measured (BENCH_SKIP)";
      // The bulk loads leave gigabytes of WAL and dirty pages that PostgreSQL would otherwise write
      // out in the background during the first measurements (a timed checkpoint spreads its writes
      // over 4.5 minutes), slowing most what commits most often. Written out now, before any of them.
      const checkpointFrom = performance.now();
      await sql(server.adminUrl, "CHECKPOINT");
      say(`checkpoint after the loads: ${((performance.now() - checkpointFrom) / 1000).toFixed(1)} s`);

      // Every server runs at once; each call is measured interleaved across them, so that every
      // ratio compares figures taken close together in time.
      const appEnv = { DATABASE_URL: fullUrl, NEXTAUTH_SECRET: secret, DATABASE_POOL_MAX: String(config.poolMax) };
      const targets: Partial<Record<TargetName, Record<CallName, Endpoint>>> = {};
      const apps: Partial<Record<TargetName, Server>> = {};
      const app = await startApp("app-postgres", appEnv);
      stops.push(app.child.stop);
      apps.app = app;
      const cookies = await signInAll(app.base, data);
      const cookie = cookies.user;
      const floor = await startFloor("floor-postgres", fullUrl, config.poolMax, secret);
      const floorStop = floor.child.stop;
      stops.push(floorStop);
      await checkSameWork(app, floor, cookie, data);
      // Issue 13: search at the reference data as loaded, before the send measurements below write
      // thousands of newer messages into user 1's chats: its figures then depend on nothing that
      // was measured before them.
      if (!skip.has("search")) {
        if (!procedures.includes("chat.search")) results.search = { skipped: "not measured: the router has no chat.search yet (issue 13)" };
        else {
          try {
            say("search: chat.search at the reference data …");
            results.search = { queries: await measureSearch({ base: app.base, cookie, connections: config.connections, seconds: config.seconds, pid: app.child.proc.pid, pgPid, say }) };
          } catch (error) {
            results.errors.push(`search: ${(error as Error).stack ?? error}`);
          }
        }
      }
      targets.app = endpoints(app, cookies, data, "app", pgPid);
      servers.set("app", [app.child]);
      if (!skip.has("scaleout")) {
        // One machine, one instance per core: Node's cluster forks whole instances sharing the port
        // (README, "Running several instances"); no proxy hop, unlike two `npm start` behind HAProxy.
        const two = await startApp("app-postgres-x2", { ...appEnv, WEB_CONCURRENCY: "2" }, { instances: 2 });
        stops.push(two.child.stop);
        apps["app ×2"] = two;
        targets["app ×2"] = endpoints(two, cookies, data, "app-x2", pgPid);
        servers.set("app ×2", [two.child]);
      } else skipped["app ×2"] = "not measured (BENCH_SKIP)";
      if (!skip.has("node20")) {
        const n20 = node20();
        if ("skip" in n20) skipped["app on Node 20"] = n20.skip;
        else {
          const old = await startApp("app-postgres-node20", appEnv, { node: n20.path });
          stops.push(old.child.stop);
          apps["app on Node 20"] = old;
          targets["app on Node 20"] = endpoints(old, cookies, data, "app-node20", pgPid);
          servers.set("app on Node 20", [old.child]);
        }
      } else skipped["app on Node 20"] = "not measured (BENCH_SKIP)";
      targets.floor = endpoints(floor, cookies, data, "floor", pgPid, "floor");
      servers.set("floor", [floor.child]);
      let originalServers: OriginalServer[] = [];
      if (original) {
        const flask = await startOriginal(original, childEnv({}), LOGS);
        const originalFloor = await startOriginalFloor(original, ROOT, config.poolMax, childEnv({}), LOGS);
        originalServers = [flask, originalFloor];
        for (const c of [...flask.children, ...originalFloor.children]) stops.push(c.stop);
        await checkOriginal(original, flask.base);
        targets.original = originalEndpoints(original, flask, pgPid);
        targets["original's floor"] = originalEndpoints(original, originalFloor, pgPid);
        servers.set("original", flask.children);
        servers.set("original's floor", originalFloor.children);
      }
      if (small) {
        const app2 = await startApp("app-postgres-tenth", { ...appEnv, DATABASE_URL: small.url });
        stops.push(app2.child.stop);
        const floor2 = await startFloor("floor-postgres-tenth", small.url, config.poolMax, secret);
        stops.push(floor2.child.stop);
        const cookies2 = { user: await signIn(app2.base, small.data.email, small.data.password), senders: [] };
        await checkSameWork(app2, floor2, cookies2.user, small.data);
        targets["app at 0.1"] = endpoints(app2, cookies2, small.data, "app-tenth", pgPid);
        targets["floor at 0.1"] = endpoints(floor2, cookies2, small.data, "floor-tenth", pgPid, "floor");
        servers.set("app at 0.1", [app2.child]);
        servers.set("floor at 0.1", [floor2.child]);
      }
      say(`servers up (${Object.keys(targets).join(", ")}), signed in, app and floor return the same rows; measuring${config.rounds > 1 ? ` (${config.rounds} rounds)` : ""} …`);

      const rounds: Partial<Record<CallName, Partial<Record<TargetName, Measurement[]>>>> = {};
      const drains: Partial<Record<TargetName, { left: number; seconds: number }[]>> = {};
      for (const call of CALLS) {
        const list: Target[] = [];
        for (const name of TARGETS) {
          const endpoint = targets[name]?.[call];
          if (!endpoint || (call.startsWith("send") && name.endsWith("at 0.1"))) continue;
          // The one-user case shows the per-user contention of the app's design, beside its floor.
          if (call === "sendOneUser" && !["app", "floor", "original"].includes(name)) continue;
          // The app's workers take the jobs of every send to the app's database (the floor's too).
          const after = call.startsWith("send") && !name.startsWith("original")
            ? async () => void (drains[name] ??= []).push(await drainQueue(fullUrl))
            : undefined;
          list.push({ name, endpoint, after });
        }
        const measured = await series(call, list);
        rounds[call] = Object.fromEntries(measured);
      }
      const median = (call: CallName) => Object.fromEntries(Object.entries(rounds[call] ?? {}).map(([name, m]) => [name, combine(m!)])) as Partial<Record<TargetName, Measurement>>;
      results.postgres = {
        server: `${server.version} (${server.kind})`,
        data: dataSummary(data),
        loadSeconds: data.loadMs / 1000,
        calls: { listSessions: median("listSessions"), listMessages: median("listMessages"), sendMessage: median("sendMessage"), sendOneUser: median("sendOneUser") },
        rounds,
        skipped,
        drains,
        sendCountersConsistent: await sendCountersConsistent(fullUrl, data),
        ...(original ? { original: { loadSeconds: original.loadSeconds, dir: original.dir, sends: resetOriginal(original) } } : {}),
      };
      if (small) {
        results.flatness = {
          scale: config.scale / 10,
          data: dataSummary(small.data),
          loadSeconds: small.data.loadMs / 1000,
          listSessions: toPair(rounds.listSessions!["app at 0.1"]!, rounds.listSessions!["floor at 0.1"]),
          listMessages: toPair(rounds.listMessages!["app at 0.1"]!, rounds.listMessages!["floor at 0.1"]),
        };
      }
      // The phases below use the one instance alone: the other servers of this database go.
      for (const other of [apps["app ×2"], apps["app on Node 20"]]) await other?.child.stop();
      await floorStop();
      for (const s of originalServers) for (const c of s.children) await c.stop();

      if (!skip.has("profile")) {
        try {
          results.profile = await profileCalls(appEnv, cookies, data, pgPid, results.postgres.calls);
        } catch (error) {
          results.errors.push(`profile: ${(error as Error).stack ?? error}`);
        }
      }

      // Issue 9: the hand-over to an agent and its reply, on one instance, the demo agent.
      if (!skip.has("agents") || !skip.has("live")) await sql(fullUrl, `UPDATE "Bot" SET "agentId" = 'bench-agent' WHERE id LIKE 'bench-b%'`);
      if (!skip.has("agents")) {
        try {
          say("agents: /echo messages to the demo agent, 8 sessions at once, on one instance …");
          results.agents = await measureAgents({
            base: app.base, cookie, sessionIds: data.sendSessionIds.slice(0, 8), messages: Number(process.env.BENCH_AGENT_MESSAGES ?? 400), wordDelayMs: 30, tag: String(process.pid),
          });
          const a = results.agents;
          say(`agents: ${a.messages} messages; send ${ms(a.send.p50)}, stored → acked p50 ${ms(a.storedAcked.p50)} p99 ${ms(a.storedAcked.p99)}, send → reply stored p50 ${ms(a.reply.p50)} p99 ${ms(a.reply.p99)}${a.missing ? `; ${a.missing} missing` : ""}`);
        } catch (error) {
          results.errors.push(`agents: ${(error as Error).stack ?? error}`);
        }
      }
      // Issue 10: 1,000 live streams open on that instance; a reply finished → its event received.
      if (!skip.has("live")) {
        try {
          const users = Array.from({ length: Math.min(100, data.counts.users) }, (_, i) => ({ email: `bench-user-${i + 1}@example.com`, password: BENCH_PASSWORD }));
          say(`live: ${users.length * 10} streams (${users.length} users, 10 tabs each) on one instance, then /echo replies …`);
          results.live = await measureLive({
            base: app.base, serverPid: app.serverPids[0], users, tabsPerUser: 10, sessionIds: data.sendSessionIds.slice(8, 16),
            replies: Number(process.env.BENCH_LIVE_REPLIES ?? 200), say,
          });
          const l = results.live;
          say(`live: ${l.subscriptions} streams; reply finished → event p50 ${ms(l.latency.p50)} p99 ${ms(l.latency.p99)}; RSS ${(l.rssBefore / 2 ** 20).toFixed(0)} MB → ${(l.rssOpen / 2 ** 20).toFixed(0)} MB`);
        } catch (error) {
          results.errors.push(`live: ${(error as Error).stack ?? error}`);
        }
      }
      for (const stop of stops.splice(1).reverse()) await stop();

      if (!skip.has("statements")) {
        try {
          const counted = await countStatements(fullUrl, data);
          results.statements = counted.counts;
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
      clusterUrl = undefined;
    }
  }

  /** A profiled app on the same database: each call loaded while V8's profiler samples the server. */
  async function profileCalls(appEnv: Record<string, string>, cookies: Cookies, data: ReferenceData, pgPid: number | undefined, calls: NonNullable<Results["postgres"]>["calls"]) {
    const dir = await tempDir("pitchat-bench-profile-");
    const profiled = await startApp("app-profiled", { ...appEnv, NODE_OPTIONS: `--import ${join(ROOT, "bench", "lib", "cpu-profile.mjs")}`, BENCH_PROFILE_DIR: dir });
    try {
      const pid = profiled.serverPids[0]!;
      const e = endpoints(profiled, cookies, data, "app-profiled", pgPid);
      const out: NonNullable<Results["profile"]> = [];
      for (const call of CALLS.filter((c) => c !== "sendOneUser")) {
        await measure(e[call], { connections: config.connections, seconds: config.warmup || 3, warmupSeconds: 0 });
        process.kill(pid, "SIGUSR2");
        const m = await measure(e[call], { connections: config.connections, seconds: config.seconds, warmupSeconds: 0 });
        process.kill(pid, "SIGUSR2");
        let file = "";
        await waitUntil("the profile", async () => {
          file = readdirSync(dir).map((f) => join(dir, f)).find((f) => !out.some((o) => o.file === f)) ?? "";
          return file !== "";
        }, { timeoutMs: 30_000 });
        await sleep(500);
        const b = breakdown(file);
        const cpuMs = calls[call]?.app?.cpuMs ?? NaN;
        out.push({ call, file, requests: m.requests, cpuMs, profiledCpuMs: m.cpuMs, layers: b.layers });
        say(`profile ${call}: ${b.layers.slice(0, 4).map((l) => `${l.layer} ${(100 * l.share).toFixed(0)} %`).join(", ")} …`);
      }
      return out;
    } finally {
      await profiled.child.stop();
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
      const e = endpoints(app, { user: cookie, senders: [] }, data, "app-pglite", undefined);
      results.pglite = {
        scale: pgliteScale,
        how: "`npm start` with DATABASE_URL unset (PGlite in the run script's process, the app's pool at its embedded default), data loaded through its socket",
        data: dataSummary(data),
        loadSeconds: data.loadMs / 1000,
        listSessions: toPair((await series("listSessions", [{ name: "app on PGlite", endpoint: e.listSessions }])).get("app on PGlite")!),
        listMessages: toPair((await series("listMessages", [{ name: "app on PGlite", endpoint: e.listMessages }])).get("app on PGlite")!),
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

  machine.loadAfter = loadavg().map((l) => l.toFixed(2)).join(" ");
  results.budgets = budgets(results);
  results.notes.push(...notes(results));
  return results;
}

function verdict(ok: boolean | undefined): BudgetRow["verdict"] {
  return ok === undefined ? "not measured" : ok ? "PASS" : "FAIL";
}

const LABELS: Record<CallName, string> = {
  listSessions: "chat.listSessions (20)",
  listMessages: "chat.listMessages (50, middle of the big session)",
  sendMessage: "chat.sendMessage (16 users, a session each)",
  sendOneUser: "chat.sendMessage (one user, 16 sessions)",
};

function budgets(r: Results): BudgetRow[] {
  const rows: BudgetRow[] = [];
  const scaleNote = atReference ? "" : ` [BENCH_SCALE=${config.scale}]`;
  for (const s of r.statements ?? []) {
    rows.push({ what: `SQL statements per ${s.call}`, figure: String(s.count), budget: `≤ ${s.budget}`, verdict: verdict(s.count <= s.budget) });
  }
  if (!r.statements) rows.push({ what: "SQL statements per call", figure: "–", budget: "≤ 3 / 2 / 5", verdict: "not measured" });
  const calls = r.postgres?.calls;
  const errorsOf = (m: Measurement | undefined) => (m ? m.errors + m.non2xx : 0);
  for (const call of ["listSessions", "listMessages"] as const) {
    const app = calls?.[call]?.app;
    const floor = calls?.[call]?.floor;
    const q = ratio(app?.p50, floor?.p50);
    rows.push({
      what: `${LABELS[call]}: p50 app ÷ floor, PostgreSQL${scaleNote}`,
      figure: app ? `${ms(app.p50)} ÷ ${ms(floor?.p50)} = ${x(q)}` : "–",
      budget: "≤ 2×",
      verdict: verdict(Number.isNaN(q) ? undefined : q <= 2 && errorsOf(app) === 0),
    });
  }
  for (const call of ["listSessions", "listMessages"] as const) {
    const full = calls?.[call];
    const small = call === "listSessions" ? r.flatness?.listSessions : r.flatness?.listMessages;
    const q = ratio(full?.app?.p50, small?.app?.p50);
    rows.push({
      what: `${LABELS[call].replace(" of the big session", "")}: p50 at ${config.scale} ÷ p50 at ${config.scale / 10} (flat)`,
      figure: full?.app && small?.app ? `${ms(full.app.p50)} ÷ ${ms(small.app.p50)} = ${x(q)} (floor ${x(ratio(full.floor?.p50, small.floor?.p50))})` : "–",
      budget: "0.80× – 1.20×",
      verdict: verdict(Number.isNaN(q) ? undefined : q >= 0.8 && q <= 1.2),
    });
  }
  const send = calls?.sendMessage?.app;
  rows.push({
    what: `chat.sendMessage, ${config.connections} concurrent clients, PostgreSQL${scaleNote}`,
    figure: send
      ? `${errorsOf(send)} errors; ${rps(send.throughput)} (floor ${rps(calls?.sendMessage?.floor?.throughput)}); counters ${r.postgres?.sendCountersConsistent ? "consistent" : "INCONSISTENT"}`
      : "–",
    budget: "no errors; throughput beside the floor",
    verdict: verdict(send ? errorsOf(send) === 0 && r.postgres?.sendCountersConsistent === true : undefined),
  });
  // Issue 12: throughput beside the original and the floor, same run. The verdict is the one
  // instance's (like for like with the one-process floor); the ×2 deployment is shown beside.
  for (const call of ["listSessions", "listMessages", "sendMessage"] as const) {
    const c = calls?.[call];
    const app = c?.app;
    const two = c?.["app ×2"];
    const original = c?.original;
    const qo = ratio(app?.throughput, original?.throughput);
    const qf = ratio(app?.throughput, c?.floor?.throughput);
    const twoNote = two ? `; ×2: ${x(ratio(two.throughput, original?.throughput))} and ${x(ratio(two.throughput, c?.floor?.throughput))}` : "";
    rows.push({
      what: `${LABELS[call]}: throughput app ÷ original (Flask) and app ÷ floor, one instance${scaleNote}`,
      figure: app
        ? `${rps(app.throughput)} ÷ ${original ? rps(original.throughput) : "–"} = ${x(qo)}; ÷ ${rps(c?.floor?.throughput)} = ${x(qf)}${twoNote}`
        : "–",
      budget: "≥ 2× original; ≥ 0.5× floor",
      verdict: verdict(Number.isNaN(qo) || Number.isNaN(qf) ? undefined : qo >= 2 && qf >= 0.5 && errorsOf(app) === 0),
    });
  }
  const one = calls?.sendOneUser;
  rows.push({
    what: `${LABELS.sendOneUser}: throughput app ÷ floor (the original: all to one session, as its README measures)`,
    figure: one?.app
      ? `${rps(one.app.throughput)} ÷ ${rps(one.floor?.throughput)} = ${x(ratio(one.app.throughput, one.floor?.throughput))}; original ${rps(one.original?.throughput)}` +
        (r.postgres?.original ? `, losing ${r.postgres.original.sends.lost.toLocaleString("en")} of ${r.postgres.original.sends.added.toLocaleString("en")} count increments` : "")
      : "–",
    budget: "reported",
    verdict: one?.app ? "reported" : "not measured",
  });
  const a = r.agents;
  rows.push({
    what: "chat.sendMessage stored (its response) → the agent has taken it (acked event), demo agent, one instance",
    figure: a
      ? `p50 ${ms(a.storedAcked.p50)}, p99 ${ms(a.storedAcked.p99)}; from issuing the send: p50 ${ms(a.acked.p50)}, p99 ${ms(a.acked.p99)} (${a.messages} messages)${a.missing ? `; ${a.missing} MISSING` : ""}`
      : "–",
    budget: "p50 < 50 ms; p99 reported",
    verdict: verdict(a ? a.storedAcked.p50 < 50 && a.missing === 0 : undefined),
  });
  rows.push({
    what: "chat.sendMessage → the demo agent's reply stored (done event), one instance",
    figure: a ? `p50 ${ms(a.reply.p50)}, p99 ${ms(a.reply.p99)} (/echo: a few words, ${a.wordDelayMs} ms apart)` : "–",
    budget: "reported",
    verdict: a ? "reported" : "not measured",
  });
  const l = r.live;
  rows.push({
    what: "agent reply finished → event at a subscribed client, 1,000 subscriptions open",
    figure: l
      ? `p50 ${ms(l.latency.p50)}, p99 ${ms(l.latency.p99)} (${l.latency.n} replies, ${l.subscriptions} streams)${l.missing ? `; ${l.missing} MISSING` : ""}; server RSS ${(l.rssBefore / 2 ** 20).toFixed(0)} MB without, ${(l.rssOpen / 2 ** 20).toFixed(0)} MB with them`
      : "–",
    budget: "p99 < 50 ms",
    verdict: verdict(l ? l.latency.p99 < 50 && l.missing === 0 && l.subscriptions >= 1000 : undefined),
  });
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
  if (r.postgres?.original && !atReference) n.push("The original's data is always its full reference set (gen_data.py has no scale); its figures compare with the app's only at BENCH_SCALE=1.");
  for (const [name, reason] of Object.entries(r.postgres?.skipped ?? {})) n.push(`${name}: ${reason}.`);
  if (r.search && "skipped" in r.search) n.push(`search (issue 13): ${r.search.skipped}.`);
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
