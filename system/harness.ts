/**
 * System tests drive real processes over real HTTP: production instances (`scripts/run.ts start`
 * on the build), PostgreSQL, HAProxy from Debian. This module starts and kills them, and is an API
 * client as a browser is one: a NextAuth session cookie, tRPC over HTTP, and chat.onEvent over SSE.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTRPCClient, httpLink, httpSubscriptionLink, retryLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import { createScratchDatabase } from "../src/test/databases";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/root";
import type { ChatEvent } from "@/shared";

const ROOT = join(import.meta.dirname, "..");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const postgresUrl = process.env.TEST_DATABASE_URL;

/** A fresh, empty database on the test PostgreSQL server (dropped by the returned function). */
export async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!postgresUrl) throw new Error("TEST_DATABASE_URL is not set");
  return createScratchDatabase(postgresUrl, "pitchat_system");
}

/** Runs SQL against a database (to look at rows, as an operator would). */
export { query as sql } from "../src/test/databases";

export type Instance = {
  name: string;
  url: string;
  port: number;
  /** The launcher's pid; the server runs in its process group. */
  pid: number;
  /** The Next server's own pid (the process that runs the agents). */
  serverPid: () => number | null;
  output: () => string;
  /** Sends `signal` to the whole process group and waits until it is gone. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
  exited: Promise<number | null>;
};

const BASE_ENV = {
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  NEXTAUTH_SECRET: "system-test-secret-system-test-secret",
  RATE_LIMIT_SIGNIN: "1000",
  RATE_LIMIT_REGISTER: "1000",
  RATE_LIMIT_SEND: "1000",
  DEMO_WORD_DELAY_MS: "10",
};

/**
 * `npm start` as an operator runs it (the launcher, then Next), in a process group of its own so
 * that a kill takes the whole instance; resolves once it answers.
 */
export async function startInstance(options: {
  name?: string;
  port?: number;
  databaseUrl?: string;
  dataDir?: string;
  env?: Record<string, string>;
}): Promise<Instance> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...BASE_ENV,
    PORT: String(port),
    NEXTAUTH_URL: options.env?.NEXTAUTH_URL ?? url,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : { DATABASE_URL: "", PITCHAT_DATA_DIR: options.dataDir ?? mkdtempSync(join(tmpdir(), "pitchat-system-")) }),
    ...options.env,
  };
  delete env.TEST_DB;
  delete env.VITEST;
  const child: ChildProcess = spawn(join(ROOT, "node_modules", ".bin", "tsx"), ["scripts/run.ts", "start"], {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (chunk) => (log += chunk));
  child.stderr!.on("data", (chunk) => (log += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const instance: Instance = {
    name: options.name ?? `instance-${port}`,
    url,
    port,
    pid: child.pid!,
    serverPid: () => Number(/Pit Chat server \(pid (\d+)\)/.exec(log)?.[1]) || null,
    output: () => log,
    exited,
    async kill(signal = "SIGKILL") {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Gone already.
      }
      await exited;
      // The group's other processes (Next) may outlive the launcher for a moment.
      for (let i = 0; i < 50 && groupAlive(child.pid!); i++) await new Promise((r) => setTimeout(r, 100));
    },
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${instance.name} exited with ${child.exitCode}:\n${log}`);
    try {
      const res = await fetch(`${url}/api/health/ready`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await instance.kill();
      throw new Error(`${instance.name} did not become ready:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return instance;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** HAProxy from Debian in front of the instances: round robin, no stickiness, SSE-friendly timeouts. */
export async function startBalancer(backends: { name: string; port: number }[]): Promise<{ url: string; port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "pitchat-haproxy-"));
  const config = join(dir, "haproxy.cfg");
  writeFileSync(config, haproxyConfig(port, backends));
  const check = spawnSync("haproxy", ["-c", "-f", config], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`haproxy config: ${check.stderr}${check.stdout}`);
  const child = spawn("haproxy", ["-db", "-f", config], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.on("data", (c) => (log += c));
  child.stderr!.on("data", (c) => (log += c));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/api/health`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      if (log.includes("ALERT")) console.warn(log);
    },
  };
}

/** The HAProxy configuration the README's "Running several instances" points to: round robin, readiness checks, SSE-safe time-outs. */
export function haproxyConfig(port: number, backends: { name: string; port: number }[]): string {
  return `global
    maxconn 4096

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # SSE: an open stream is quiet between pings (every 15 s); the tunnel time-out must outlast them.
    timeout tunnel 1h
    option http-server-close
    # A request sent to an instance that is going away is tried once more elsewhere.
    retries 2
    option redispatch
    # The client's address, appended to X-Forwarded-For: the instances run with TRUSTED_PROXY_HOPS=1.
    option forwardfor

frontend pitchat
    bind 127.0.0.1:${port}
    default_backend instances

backend instances
    balance roundrobin
    option httpchk GET /api/health/ready
    http-check expect status 200
    default-server inter 1s fall 2 rise 1
${backends.map((b) => `    server ${b.name} 127.0.0.1:${b.port} check`).join("\n")}
`;
}

/**
 * A signed-in user, as a browser holds one: the NextAuth session cookie, good on every instance
 * (they share NEXTAUTH_SECRET). `api(url)` is a client of the API at that address.
 */
export type User = { email: string; cookie: string; api: (baseUrl: string) => Api };

export async function signIn(baseUrl: string, email: string, password = "pitchat-demo"): Promise<User> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = cookiesOf(csrf);
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const cookie = [csrfCookie, cookiesOf(res)].filter(Boolean).join("; ");
  if (!cookie.includes("session-token")) throw new Error(`sign-in as ${email} failed: ${res.status}`);
  return { email, cookie, api: (url: string) => apiClient(url, cookie) };
}

export async function signUp(baseUrl: string, name = "Sys"): Promise<User> {
  const email = `${name.toLowerCase()}-${randomBytes(4).toString("hex")}@example.com`;
  const password = "long enough password";
  const anonymous = apiClient(baseUrl, "");
  await anonymous.auth.register.mutate({ email, password, name });
  return signIn(baseUrl, email, password);
}

function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .join("; ");
}

export type Api = ReturnType<typeof apiClient>;

export function apiClient(baseUrl: string, cookie: string) {
  const headers = (): Record<string, string> => (cookie ? { cookie } : {});
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: [
          retryLink({ retry: () => true, retryDelayMs: () => 100 }),
          httpSubscriptionLink({
            url: `${baseUrl}/api/trpc`,
            transformer: superjson,
            EventSource,
            eventSourceOptions: () => ({
              fetch: (input: string | URL | Request, init?: RequestInit) =>
                fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers() } }),
            }),
          }),
        ],
        false: httpLink({ url: `${baseUrl}/api/trpc`, transformer: superjson, headers }),
      }),
    ],
  });
}

/** Records what a chat.onEvent subscription delivers. */
export function watch(api: Api, input: { sessionId?: string; lastEventId?: string } = {}) {
  const events: { id: string; event: ChatEvent }[] = [];
  const subscription = api.chat.onEvent.subscribe(input, {
    onData: ({ id, data }) => void events.push({ id, event: data }),
    onError: (error) => console.warn("subscription error:", error.message),
  });
  return { events, stop: () => subscription.unsubscribe() };
}

/** Waits until `check` is true (polling), or fails with `what`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out (${timeoutMs} ms) waiting for ${what}`);
}
