/**
 * A real, freshly migrated database per test file: an in-memory PGlite by default, or a new
 * database on the PostgreSQL server named by TEST_DATABASE_URL when TEST_DB=postgres.
 *
 * PGlite is served exactly as `npm start` serves it: by the embedded database's server on loopback,
 * reached through the app's own pg pool (`createDb`), so statements from several pool connections
 * really are in flight at once and queue at the server (`embedded.stats().peakWaiting` says how many).
 */
import pg from "pg";
import { createBoss, DEFAULT_DISPATCHER_SETTINGS, Dispatcher, type DispatcherSettings } from "@/server/agents/dispatcher";
import type { ChatDeps } from "@/server/chat/deps";
import { createDb, type Db } from "@/server/db";
import { startEmbeddedDb, type EmbeddedDb } from "@/server/embedded-db";
import { LocalEventBus, type EventBus } from "@/server/events/bus";
import { setUpDatabase } from "@/server/setup";
import { createScratchDatabase } from "./databases";

export type TestDatabase = {
  db: Db;
  url: string;
  kind: "pglite" | "postgres";
  /** The embedded database's server (PGlite only): its stats show the overlap a test produced. */
  embedded?: EmbeddedDb;
  /** SQL statements sent since the last reset (BEGIN and COMMIT included). */
  statements: StatementLog;
  /** The event bus and the dispatcher the test's callers write through (workers not started). */
  services: { deps: ChatDeps; bus: EventBus; dispatcher: Dispatcher };
  /** Starts the dispatcher's workers, as a server instance does. */
  startWorkers: (settings?: Partial<DispatcherSettings>) => Promise<Dispatcher>;
  close: () => Promise<void>;
};

/** Each test database's services, by its Prisma client, for callerFor. */
const servicesByDb = new WeakMap<Db, ChatDeps>();

export function chatDepsFor(db: Db): ChatDeps {
  const deps = servicesByDb.get(db);
  if (!deps) throw new Error("callerFor needs a database made by createTestDatabase");
  return deps;
}

/** Fast agents for tests: the demo agent's words come without a pause, /slow takes a second. */
export const TEST_DISPATCHER_SETTINGS: DispatcherSettings = {
  ...DEFAULT_DISPATCHER_SETTINGS,
  concurrency: 4,
  pollSeconds: 0.5,
  retryLimit: 2,
  retryDelaySeconds: 0,
  flushMs: 20,
  demoWordDelayMs: 0,
  demoSlowMs: 1_000,
};

export class StatementLog {
  readonly sql: string[] = [];
  reset() {
    this.sql.length = 0;
  }
  get count() {
    return this.sql.length;
  }
}

/** A pg Client that records every statement it sends, counted at the driver as the budgets demand. */
function countingClient(log: StatementLog): typeof pg.Client {
  return class CountingClient extends pg.Client {
    // pg's query has many overloads; the first argument is the text or a config holding it.
    query(...args: unknown[]): never {
      const first = args[0] as string | { text?: string } | undefined;
      log.sql.push(typeof first === "string" ? first : (first?.text ?? "?"));
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  } as unknown as typeof pg.Client;
}

export async function createTestDatabase(
  options: { poolMax?: number; idleInTransactionTimeoutMs?: number } = {},
): Promise<TestDatabase> {
  const statements = new StatementLog();
  const kind = process.env.TEST_DB === "postgres" ? "postgres" : "pglite";
  let url: string;
  let teardown: () => Promise<void>;
  const max = options.poolMax ?? 10;
  let embedded: EmbeddedDb | undefined;
  if (kind === "postgres") {
    const adminUrl = process.env.TEST_DATABASE_URL;
    if (!adminUrl) throw new Error("TEST_DB=postgres needs TEST_DATABASE_URL");
    ({ url, drop: teardown } = await createScratchDatabase(adminUrl, "pitchat_test"));
  } else {
    embedded = await startEmbeddedDb({ idleInTransactionTimeoutMs: options.idleInTransactionTimeoutMs });
    url = embedded.url;
    teardown = embedded.stop;
  }
  await setUpDatabase(url);
  // As the app runs: prepared statements on PostgreSQL (src/server/db.ts), never on the embedded database.
  const { db } = createDb(url, { max, Client: countingClient(statements), prepare: kind === "postgres" });
  const bus = new LocalEventBus(db);
  const deps: ChatDeps = { db, events: bus, queue: undefined as unknown as Dispatcher };
  let dispatcher = new Dispatcher(createBoss(url, { poolMax: 2, supervise: false, prepare: kind === "postgres" }), deps, TEST_DISPATCHER_SETTINGS);
  deps.queue = dispatcher;
  await dispatcher.start();
  servicesByDb.set(db, deps);
  const services = { deps, bus, dispatcher };
  return {
    db,
    url,
    kind,
    embedded,
    statements,
    services,
    async startWorkers(settings = {}) {
      // A dispatcher that works, with its own supervisor (heartbeats), replacing the enqueue-only one.
      await dispatcher.stop();
      dispatcher = new Dispatcher(
        createBoss(url, { poolMax: 4, supervise: true, prepare: kind === "postgres" }),
        deps,
        { ...TEST_DISPATCHER_SETTINGS, ...settings },
      );
      deps.queue = dispatcher;
      services.dispatcher = dispatcher;
      await dispatcher.start();
      await dispatcher.work();
      return dispatcher;
    },
    async close() {
      await dispatcher.stop(1_000);
      await bus.close();
      await db.$disconnect();
      await teardown();
    },
  };
}
