/**
 * SQL statements per call, counted at the driver exactly as src/test/db.ts does: the app's own
 * router (createCaller from src/server/api/root.ts) over the app's own createDb, whose pg Client
 * records every query it sends. Run in-process against the bench database; each call is made once
 * to warm up, then counted.
 */
import pg from "pg";
import type { ReferenceData } from "./load";

export type StatementCount = { call: string; count: number; budget: number; sql: string[] };

export async function countStatements(url: string, data: ReferenceData): Promise<{ counts: StatementCount[]; onEventExists: boolean }> {
  const log: string[] = [];
  class CountingClient extends pg.Client {
    // pg's query has many overloads; the first argument is the text or a config holding it.
    query(...args: unknown[]): never {
      const first = args[0] as string | { text?: string } | undefined;
      log.push(typeof first === "string" ? first : (first?.text ?? "?"));
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  }
  // Imported here, not at the top: the bench's other steps need no Prisma client in this process.
  const { createDb } = await import("@/server/db");
  const { createCaller, appRouter } = await import("@/server/api/root");
  const { noRateLimits } = await import("@/server/rate-limit");

  const { createBoss, Dispatcher, DEFAULT_DISPATCHER_SETTINGS } = await import("@/server/agents/dispatcher");
  const { LocalEventBus } = await import("@/server/events/bus");

  const { db } = createDb(url, { max: 10, Client: CountingClient as unknown as typeof pg.Client });
  // Sends enqueue their dispatch job as in the app; no worker runs here, so nothing answers them.
  const chat = { db, events: new LocalEventBus(db), queue: undefined as unknown as InstanceType<typeof Dispatcher> };
  chat.queue = new Dispatcher(createBoss(url, { poolMax: 2, supervise: false }), chat, DEFAULT_DISPATCHER_SETTINGS);
  await chat.queue.start();
  const caller = createCaller({
    db,
    chat,
    bus: chat.events,
    user: { id: data.userId, email: data.email, name: data.userName },
    clientIp: "127.0.0.1",
    rateLimits: noRateLimits,
  });
  let sent = 0;
  const calls: { call: string; budget: number; run: () => Promise<unknown> }[] = [
    { call: "chat.listSessions (1 row)", budget: 3, run: () => caller.chat.listSessions({ limit: 1 }) },
    { call: "chat.listSessions (20 rows)", budget: 3, run: () => caller.chat.listSessions({ limit: 20 }) },
    { call: "chat.listSessions (100 rows)", budget: 3, run: () => caller.chat.listSessions({ limit: 100 }) },
    {
      call: "chat.listMessages (50, middle)",
      budget: 2,
      run: () => caller.chat.listMessages({ sessionId: data.bigSessionId, before: data.middleBeforeId, limit: 50 }),
    },
    {
      call: "chat.sendMessage",
      budget: 5,
      run: () => caller.chat.sendMessage({ sessionId: data.sendSessionIds[0]!, content: `statement count ${sent}`, clientId: `bench-stmt-${process.pid}-${sent++}` }),
    },
  ];
  const counts: StatementCount[] = [];
  try {
    for (const { call, budget, run } of calls) {
      await run();
      log.length = 0;
      await run();
      counts.push({ call, budget, count: log.length, sql: log.map((s) => s.replace(/\s+/g, " ").trim().slice(0, 160)) });
    }
  } finally {
    await chat.queue.stop(1_000);
    await db.$disconnect();
  }
  const procedures = (appRouter as unknown as { _def: { procedures: Record<string, unknown> } })._def.procedures;
  return { counts, onEventExists: "chat.onEvent" in procedures };
}
