import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { getEnv } from "@/env";
import { createBoss, DEFAULT_DISPATCHER_SETTINGS, Dispatcher, type DispatcherSettings } from "./agents/dispatcher";
import type { ChatDeps } from "./chat/deps";
import { getDb, preparesStatements } from "./db";
import { LocalEventBus, PostgresEventBus, type EventBus } from "./events/bus";
import { pruneEvents } from "./events/log";

/**
 * The process's long-lived parts beside the database: the event bus and the dispatcher (pg-boss
 * and its workers). Built on first use; `startServices` (from instrumentation, once per server
 * process) starts the workers. On the embedded database there is exactly one instance, so events stay
 * in process; on PostgreSQL every instance LISTENs.
 */
export type Services = { deps: ChatDeps; bus: EventBus; dispatcher: Dispatcher };

const globalForServices = globalThis as unknown as {
  pitChatServices?: Services;
  pitChatServicesStarted?: Promise<void>;
  pitChatReady?: boolean;
  pitChatShuttingDown?: boolean;
};

export function dispatcherSettings(): DispatcherSettings {
  const env = getEnv();
  return {
    ...DEFAULT_DISPATCHER_SETTINGS,
    concurrency: env.AGENT_CONCURRENCY,
    heartbeatSeconds: env.AGENT_HEARTBEAT_SECONDS,
    demoWordDelayMs: env.DEMO_WORD_DELAY_MS,
    demoSlowMs: env.DEMO_SLOW_MS,
  };
}

export function getServices(): Services {
  if (globalForServices.pitChatServices) return globalForServices.pitChatServices;
  const env = getEnv();
  const { db } = getDb();
  const bus: EventBus = env.PITCHAT_EMBEDDED ? new LocalEventBus(db) : new PostgresEventBus(db, env.DATABASE_URL);
  const boss = createBoss(env.DATABASE_URL, { poolMax: env.QUEUE_POOL_MAX, prepare: preparesStatements(), asyncCommit: !env.PITCHAT_EMBEDDED });
  const deps: ChatDeps = { db, events: bus, queue: undefined as unknown as Dispatcher };
  const dispatcher = new Dispatcher(boss, deps, dispatcherSettings());
  deps.queue = dispatcher;
  return (globalForServices.pitChatServices = { deps, bus, dispatcher });
}

/** Starts pg-boss and this instance's workers, and the hourly pruning of the event log; idempotent. */
export function startServices(): Promise<void> {
  return (globalForServices.pitChatServicesStarted ??= (async () => {
    const { dispatcher, deps } = getServices();
    await dispatcher.start();
    await dispatcher.work();
    const retention = getEnv().EVENT_RETENTION_HOURS;
    const prune = () => void pruneEvents(deps.db, retention).catch((error: unknown) => console.error("pruning events failed:", error));
    setInterval(prune, 60 * 60_000).unref();
    prune();
    globalForServices.pitChatReady = true;
  })());
}

export function isShuttingDown(): boolean {
  return globalForServices.pitChatShuttingDown === true;
}

/**
 * Graceful shutdown (SIGTERM, from scripts/server.mjs once it stopped listening): readiness turns
 * 503; live streams end at once, so their clients reconnect to another instance and resume after
 * their last event; the replies running here are handed back to the queue (another instance takes
 * them, the reply's text starting over in the same row) and pg-boss stops.
 */
export async function shutdown(): Promise<void> {
  if (globalForServices.pitChatShuttingDown) return;
  globalForServices.pitChatShuttingDown = true;
  const services = globalForServices.pitChatServices;
  if (!services) return;
  services.bus.endSubscriptions();
  await services.dispatcher.stop(5_000).catch((error: unknown) => console.error("stopping the dispatcher:", error));
  await services.bus.close();
  await services.deps.db.$disconnect().catch(() => {});
}

/** This instance, as readiness names it: short, stable for the process, revealing nothing. */
const INSTANCE = createHash("sha256").update(`${hostname()}:${process.pid}:${Date.now()}`).digest("hex").slice(0, 10);

/** Whether this instance should get traffic (GET /api/health/ready). */
export async function readiness(): Promise<{ ready: boolean; instance: string; reason?: string }> {
  const state = await readinessState();
  return { ...state, instance: INSTANCE };
}

async function readinessState(): Promise<{ ready: boolean; reason?: string }> {
  if (globalForServices.pitChatShuttingDown) return { ready: false, reason: "shutting down" };
  if (!globalForServices.pitChatReady) return { ready: false, reason: "starting" };
  const { deps, bus } = getServices();
  try {
    await Promise.race([
      deps.db.$queryRaw`SELECT 1`,
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), 2_000)),
    ]);
  } catch {
    return { ready: false, reason: "database unreachable" };
  }
  if (bus instanceof PostgresEventBus && !bus.isListening) return { ready: false, reason: "not listening for events" };
  return { ready: true };
}
