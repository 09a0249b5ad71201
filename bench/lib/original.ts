/**
 * The original: the Flask route file Pit Chat replaces, run from shared/seed-bench (its README),
 * on the same PostgreSQL server as the app, with the same scale of data in its own schema and
 * database, so the app, its floor and the original are measured in the same interleaved rounds.
 * Nothing of it is in this repository: BENCH_ORIGINAL_DIR (default ../shared/seed-bench from the
 * repository) names the folder, and the bench says why it skips the original when it is absent.
 *
 * How it runs, and why:
 * - gunicorn with 2 sync workers, as that README starts it. Sync workers answer one request per
 *   connection and close it (`Connection: close`); a keep-alive load generator sees those closes as
 *   resets (autocannon counted a third of the requests as errors and waited a second on each), so
 *   gunicorn sits behind HAProxy, the buffering proxy gunicorn's documentation asks for in front
 *   of sync workers: clients keep their connections to HAProxy, which opens one per request to
 *   gunicorn. HAProxy's CPU is counted with the original's.
 * - its data: gen_data.py loads it by COPY (about 30 s at full scale); BENCH_SCALE below 1 loads the
 *   full set anyway (the loader has no scale), which the report says.
 * - its sends all go to its big session (one row lock, as its README measures them); afterwards
 *   reset.py counts the message_count increments it lost and restores the loaded state.
 * - its own floor (seed-bench/floor/server.js: node:http, pg, one prepared statement per call, an
 *   HS256 bearer token) runs beside it: the bare cost of the same three calls over its schema.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import pg from "pg";
import type { Endpoint } from "./measure";
import { freePort, startChild, tempDir, waitUntil, type Child } from "./procs";

export type OriginalIds = { user_id: string; big_session_id: string; cursor_message_id: string; loaded_until: string };

export type Original = {
  dir: string;
  ids: OriginalIds;
  idsFile: string;
  url: string;
  secret: string;
  token: string;
  /** 16 other users, each with an active session, and their tokens: sends as 16 people send. */
  senders: { token: string; sessionId: string }[];
  loadSeconds: number;
};

/** The folder of the original, or why it cannot run here. */
export function findOriginal(root: string): { dir: string } | { skip: string } {
  const dir = resolve(root, process.env.BENCH_ORIGINAL_DIR ?? "../shared/seed-bench");
  for (const file of ["gen_data.py", "make_token.py", "reset.py", "seed-flask/wsgi.py", "floor/server.js"]) {
    if (!existsSync(join(dir, file))) return { skip: `not measured: the original is not at ${dir} (set BENCH_ORIGINAL_DIR)` };
  }
  const python = spawnSync("/usr/bin/python3", ["-c", "import flask, flask_sqlalchemy, psycopg2, jwt, sqlalchemy"], { encoding: "utf8" });
  if (python.status !== 0) return { skip: "not measured: Debian's python3-flask, python3-flask-sqlalchemy, python3-psycopg2 and python3-jwt are not installed" };
  for (const tool of ["gunicorn", "haproxy"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return { skip: `not measured: ${tool} is not installed` };
  }
  return { dir };
}

/** Loads the original's reference data into an empty database (its own tables, by COPY). */
export async function loadOriginal(dir: string, url: string, secret: string, log: (line: string) => void): Promise<Original> {
  const started = performance.now();
  const idsFile = join(await tempDir("pitchat-bench-original-"), "ids.json");
  // The scripts name /usr/bin/python3 (Debian's, with Flask) in their first line.
  const out = execFileSync(join(dir, "gen_data.py"), ["--pg", url, "--ids", idsFile], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 24 });
  for (const line of out.trim().split("\n")) log(`  original: ${line}`);
  const ids = JSON.parse(readFileSync(idsFile, "utf8")) as OriginalIds;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client
    .query<{ user_id: string; id: string }>(
      `SELECT DISTINCT ON (user_id) user_id, id FROM sessions WHERE user_id <> $1 AND status = 'active' AND bot_id IS NOT NULL
       ORDER BY user_id, last_active_at DESC LIMIT 16`,
      [ids.user_id],
    )
    .finally(() => client.end());
  return {
    dir, ids, idsFile, url, secret,
    token: bearer(dir, ids.user_id, secret),
    senders: rows.map((r) => ({ token: bearer(dir, r.user_id, secret), sessionId: r.id })),
    loadSeconds: (performance.now() - started) / 1000,
  };
}

function bearer(dir: string, userId: string, secret: string): string {
  return execFileSync(join(dir, "make_token.py"), [userId, secret], { encoding: "utf8" }).trim();
}

export type OriginalServer = { base: string; pids: number[]; children: Child[] };

/** gunicorn -w N (as the original's README starts it) behind HAProxy; ready when a list call answers. */
export async function startOriginal(o: Original, env: Record<string, string | undefined>, logDir: string): Promise<OriginalServer> {
  const workers = process.env.BENCH_ORIGINAL_WORKERS ?? "2";
  const gport = await freePort();
  // `--timeout 0`: the bench pauses the original (SIGSTOP) while the other servers are measured,
  // for longer than gunicorn's 30 s worker timeout, and its arbiter then killed and rebooted both
  // workers at every resume ("WORKER TIMEOUT"): each later round began with a cold Flask app (p99
  // 0.7 s instead of 60–80 ms). No request of the bench comes near 30 s.
  const gunicorn = startChild("original-gunicorn", "gunicorn", ["--chdir", join(o.dir, "seed-flask"), "-w", workers, "--timeout", "0", "-b", `127.0.0.1:${gport}`, "wsgi:app"], {
    env: { ...env, DATABASE_URL: o.url, JWT_SECRET_KEY: o.secret },
    logFile: join(logDir, "original-gunicorn.log"),
  });
  const port = await freePort();
  const config = join(await tempDir("pitchat-bench-haproxy-"), "haproxy.cfg");
  writeFileSync(
    config,
    `global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    # A connection to gunicorn per request (its sync workers close each one); the clients' stay open.
    option http-server-close
frontend original
    bind 127.0.0.1:${port}
    default_backend gunicorn
backend gunicorn
    server g 127.0.0.1:${gport}
`,
  );
  const haproxy = startChild("original-haproxy", "haproxy", ["-db", "-f", config], { env, logFile: join(logDir, "original-haproxy.log") });
  const base = `http://127.0.0.1:${port}`;
  const server = { base, pids: [gunicorn.proc.pid!, haproxy.proc.pid!], children: [gunicorn, haproxy] };
  try {
    await waitUntil("original /api/chat/sessions", async () => (await fetch(`${base}/api/chat/sessions?limit=1`, { headers: { authorization: `Bearer ${o.token}` } })).status === 200, {
      timeoutMs: 60_000,
      child: gunicorn,
    });
  } catch (error) {
    for (const c of server.children) await c.stop();
    throw error;
  }
  return server;
}

/** The original's own bare floor (seed-bench/floor/server.js), its pg from this project's node_modules. */
export async function startOriginalFloor(o: Original, root: string, poolMax: number, env: Record<string, string | undefined>, logDir: string): Promise<OriginalServer> {
  const port = await freePort();
  const child = startChild("original-floor", process.execPath, ["server.js"], {
    cwd: join(o.dir, "floor"),
    env: { ...env, DATABASE_URL: o.url, JWT_SECRET_KEY: o.secret, PORT: String(port), PG_POOL_MAX: String(poolMax), NODE_PATH: join(root, "node_modules") },
    logFile: join(logDir, "original-floor.log"),
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntil("original floor", async () => (await fetch(`${base}/api/chat/sessions?limit=1`, { headers: { authorization: `Bearer ${o.token}` } })).status === 200, {
      timeoutMs: 30_000,
      child,
    });
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { base, pids: [child.proc.pid!], children: [child] };
}

/**
 * The calls, as the original's README names them (user #1, 20 sessions, 50 messages from the
 * middle), and sends: from 16 users to a session each, and (its README's case) all to its big session.
 */
export function originalEndpoints(o: Original, server: OriginalServer, pgPid: number | undefined) {
  const auth = { authorization: `Bearer ${o.token}` };
  const messages = `/api/chat/sessions/${o.ids.big_session_id}/messages`;
  let sent = 0;
  let k = 0;
  return {
    sendMessage: {
      base: server.base,
      method: "POST",
      path: "/",
      headers: {},
      perRequest: () => {
        const sender = o.senders[k++ % o.senders.length]!;
        return {
          path: `/api/chat/sessions/${sender.sessionId}/messages`,
          headers: { authorization: `Bearer ${sender.token}`, "content-type": "application/json" },
          body: JSON.stringify({ content: `Bench message ${sent++} to the original: how are the numbers today?` }),
        };
      },
      pid: server.pids,
      pgPid,
    } satisfies Endpoint,
    listSessions: { base: server.base, method: "GET", path: "/api/chat/sessions?limit=20", headers: auth, pid: server.pids, pgPid } satisfies Endpoint,
    listMessages: { base: server.base, method: "GET", path: `${messages}?before=${o.ids.cursor_message_id}&limit=50`, headers: auth, pid: server.pids, pgPid } satisfies Endpoint,
    sendOneUser: {
      base: server.base,
      method: "POST",
      path: messages,
      headers: { ...auth, "content-type": "application/json" },
      body: () => JSON.stringify({ content: `Bench message ${sent++} to the original: how are the numbers today?` }),
      pid: server.pids,
      pgPid,
    } satisfies Endpoint,
  };
}

/** Checks the original answers what the app answers: 20 sessions with a total, 50 messages. */
export async function checkOriginal(o: Original, base: string): Promise<void> {
  const headers = { authorization: `Bearer ${o.token}` };
  const list = (await (await fetch(`${base}/api/chat/sessions?limit=20`, { headers })).json()) as { sessions: unknown[]; total: number };
  if (list.sessions.length !== 20 || !(list.total >= 10_000)) throw new Error(`original list: ${list.sessions.length} sessions of ${list.total}`);
  const page = (await (await fetch(`${base}/api/chat/sessions/${o.ids.big_session_id}/messages?before=${o.ids.cursor_message_id}&limit=50`, { headers })).json()) as { messages: unknown[] };
  if (page.messages.length !== 50) throw new Error(`original history: ${page.messages.length} messages`);
}

/** After sends: the rows the original added, the counter increments it lost; restores the loaded state. */
export function resetOriginal(o: Original): { added: number; lost: number } {
  const out = execFileSync(join(o.dir, "reset.py"), [o.idsFile, "--pg", o.url], { encoding: "utf8" }).trim();
  const [added, lost] = out.split(/\s+/).map(Number);
  return { added: added ?? NaN, lost: lost ?? NaN };
}
