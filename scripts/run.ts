/**
 * `npm run dev` / `npm start`: runs Next, and first, when DATABASE_URL is unset, the embedded
 * database (PGlite under ./data, served on loopback), migrated and seeded on first start.
 * With DATABASE_URL set it migrates that database (safe with several instances: migrations take
 * an advisory lock) and starts Next against it.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { EMBEDDED_POOL_MAX, startEmbeddedDb, type EmbeddedDb } from "../src/server/embedded-db";
import { setUpDatabase } from "../src/server/setup";
import { seedIfEmpty } from "../src/server/seed";
import { createDb } from "../src/server/db";
import { getEnv } from "../src/env";
import type { BotsFile } from "../src/server/agents/config";
import { readBotsConfig, syncBots } from "../src/server/agents/sync";

const mode = process.argv[2];
if (mode !== "dev" && mode !== "start") {
  console.error("usage: tsx scripts/run.ts dev|start");
  process.exit(2);
}
const started = Date.now();
const port = process.env.PORT ?? "3000";
const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? "1" };

function fail(message: string): never {
  console.error(`\n${message}\n`);
  process.exit(1);
}

// An external database in production: what every instance must be told, checked before anything starts.
if (mode === "start" && env.DATABASE_URL) {
  if (!env.NEXTAUTH_SECRET) {
    fail(
      "NEXTAUTH_SECRET is required with an external DATABASE_URL in production: every instance must sign " +
        "sessions with the same secret. Generate one with `openssl rand -base64 32`.",
    );
  }
  // Guessing http://localhost here would drop the Secure flag from session cookies behind HTTPS.
  if (!env.NEXTAUTH_URL) {
    fail(
      "NEXTAUTH_URL is required with an external DATABASE_URL in production: the public URL users open " +
        "(e.g. https://chat.example.com). An https:// URL gives the session cookies the Secure flag.",
    );
  }
}

if (mode === "start" && !existsSync(join(process.cwd(), ".next", "BUILD_ID"))) {
  fail("No production build found: run `npm run build` first (or `npm run dev` for development).");
}

/** The embedded default keeps a generated secret beside its data, so sign-ins survive restarts. */
async function secretIn(dataDir: string): Promise<string> {
  const file = join(dataDir, "auth-secret");
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const secret = randomBytes(32).toString("base64url");
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** A whole number from the environment, or the fallback when unset; anything else stops the start. */
function intEnv(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) fail(`${name} must be a whole number, not "${raw}"`);
  return value;
}

let embedded: EmbeddedDb | undefined;
if (!env.DATABASE_URL) {
  const dataDir = resolve(env.PITCHAT_DATA_DIR ?? "data");
  await mkdir(dataDir, { recursive: true });
  const maxConnections = intEnv("PITCHAT_DB_MAX_CONNECTIONS", 100);
  const poolMax = intEnv("DATABASE_POOL_MAX", EMBEDDED_POOL_MAX);
  if (poolMax < 1 || poolMax > maxConnections) fail(`DATABASE_POOL_MAX (${poolMax}) must be between 1 and PITCHAT_DB_MAX_CONNECTIONS (${maxConnections})`);
  try {
    embedded = await startEmbeddedDb({
      dataDir,
      port: intEnv("PITCHAT_DB_PORT", 0),
      maxConnections,
      idleInTransactionTimeoutMs: intEnv("PITCHAT_DB_IDLE_TX_TIMEOUT_MS", 30_000),
    });
  } catch (error) {
    fail((error as Error).message);
  }
  env.DATABASE_URL = embedded.url;
  env.DATABASE_POOL_MAX = String(poolMax);
  env.NEXTAUTH_SECRET ??= await secretIn(dataDir);
  console.log(
    `Embedded database (PGlite) in ${dataDir}, served at ${embedded.url.replace(/\/\/[^@]*@/, "//")} ` +
      `(up to ${maxConnections} connections; the app's pool: ${poolMax})`,
  );
}
// The sign-in page lists the demo users only where the seed made them: the embedded default.
if (embedded) env.PITCHAT_EMBEDDED = "1";
else delete env.PITCHAT_EMBEDDED;
env.NEXTAUTH_SECRET ||= "development-only-secret-change-me";
env.NEXTAUTH_URL ||= `http://localhost:${port}`;

// Validate what Next will see before anything starts (Next validates again at its own start), and
// the bots file: a bad one stops the server here with its path and the problem.
Object.assign(process.env, env);
let bots: BotsFile;
try {
  getEnv();
  bots = await readBotsConfig(env);
} catch (error) {
  await embedded?.stop();
  fail((error as Error).message);
}

try {
  const { applied } = await setUpDatabase(env.DATABASE_URL);
  if (applied.length) console.log(`Applied migrations: ${applied.join(", ")}`);
  const { db } = createDb(env.DATABASE_URL, { max: 1 });
  if (embedded && (await seedIfEmpty(db))) console.log("Seeded the demo data (see README: demo users).");
  if (bots.agents.length || bots.bots.length) {
    const synced = await syncBots(db, bots, env);
    console.log(`Bots configuration: ${synced.agents} agent(s), ${synced.bots} bot(s) in sync.`);
  }
  await db.$disconnect();
} catch (error) {
  await embedded?.stop();
  fail(`Database setup failed: ${(error as Error).message}`);
}

// Next runs behind scripts/server.mjs, which tells the app each connection's address (client IP).
const server = join(import.meta.dirname, "server.mjs");
const child = spawn(process.execPath, [server, mode], { stdio: "inherit", env: { ...env, PORT: port } });
console.log(`Database ready in ${Date.now() - started} ms; starting Next (${mode}) on port ${port}, Node ${process.version}.`);

// The server shuts down gracefully on SIGTERM (scripts/server.mjs); the embedded database stops only
// after it, so the replies it hands back are recorded.
let stopping = false;
const childExited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    await Promise.race([childExited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
  }
  await embedded?.stop();
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void shutdown(0));
child.on("exit", (code) => void shutdown(code ?? 0));
