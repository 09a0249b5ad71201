/**
 * The fault test of live updates: a real tRPC client (httpSubscriptionLink with retryLink, as a
 * browser's) subscribed over real HTTP and SSE through a proxy that cuts its connection 100 times
 * while 500 events are written. Each reconnect resumes after the last tracked id; the client's final
 * state must equal the database's, with every event received once and in order.
 */
import { createServer as createTcpServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { createTRPCClient, httpSubscriptionLink, retryLink } from "@trpc/client";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { EventSource } from "eventsource";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatEvent, ChatSession, Message } from "@/shared";
import { appRouter, type AppRouter } from "@/server/api/root";
import { noRateLimits } from "@/server/rate-limit";
import type { EventBus } from "@/server/events/bus";
import { chatDepsFor, createTestDatabase, type TestDatabase } from "@/test/db";
import { userWithSession } from "@/test/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

/** A TCP proxy that can cut every connection through it at once. */
async function startCuttingProxy(target: number) {
  const sockets = new Set<Socket>();
  const server: Server = createTcpServer((client) => {
    const upstream = connect(target, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      this.cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("live updates through 100 dropped connections", () => {
  it("end in the database's state, every event once and in order", async () => {
    const { user, caller, session } = await userWithSession(t.db);
    const chat = chatDepsFor(t.db);
    const http = createHTTPServer({
      router: appRouter,
      createContext: () => ({ db: t.db, chat, bus: chat.events as EventBus, user, clientIp: "127.0.0.1", rateLimits: noRateLimits }),
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const proxy = await startCuttingProxy((http.address() as AddressInfo).port);

    const client = createTRPCClient<AppRouter>({
      links: [
        retryLink({ retry: () => true, retryDelayMs: () => 20 }),
        httpSubscriptionLink({ url: `http://127.0.0.1:${proxy.port}`, transformer: superjson, EventSource }),
      ],
    });
    const received: { id: number; event: ChatEvent }[] = [];
    const messages = new Map<string, Message>();
    let sessionState: ChatSession | null = null;
    const subscription = client.chat.onEvent.subscribe(
      {},
      {
        onData({ id, data }) {
          received.push({ id: Number(id), event: data });
          if (data.type === "message.created" || data.type === "message.updated") {
            const held = messages.get(data.message.id);
            if (!held || held.updatedAt <= data.message.updatedAt) messages.set(data.message.id, data.message);
          } else if (data.type === "session.updated" && (!sessionState || sessionState.updatedAt <= data.session.updatedAt)) {
            sessionState = data.session;
          }
        },
      },
    );
    await expect.poll(() => chat.events && (chat.events as EventBus).subscriberCount, { timeout: 10_000 }).toBeGreaterThan(0);
    const base = (await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).eventSeq;

    // 250 sends (a message.created and a session.updated each: 500 events), with a cut every ~5 events.
    let cuts = 0;
    for (let i = 0; i < 250; i++) {
      await caller.chat.sendMessage({ sessionId: session.id, content: `message ${i}` });
      if ((i % 5 === 1 || i % 5 === 3) && cuts < 100) {
        proxy.cut();
        cuts++;
      }
      if (i % 25 === 0) await new Promise((r) => setTimeout(r, 30));
    }
    const last = (await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).eventSeq;
    expect(last - base).toBe(500);
    await expect.poll(() => received.at(-1)?.id, { timeout: 30_000 }).toBe(last);
    subscription.unsubscribe();
    await proxy.close();
    await new Promise((resolve) => http.close(resolve));

    expect(cuts).toBe(100);
    const ids = received.map((r) => r.id).filter((id) => id > base);
    expect(ids).toEqual(Array.from({ length: 500 }, (_, i) => base + i + 1));
    const stored = await caller.chat.listMessages({ sessionId: session.id, limit: 100 });
    const all: Message[] = [...stored.messages];
    for (let before = stored.nextCursor; before; ) {
      const page = await caller.chat.listMessages({ sessionId: session.id, limit: 100, before });
      all.unshift(...page.messages);
      before = page.nextCursor;
    }
    expect([...messages.values()].sort((a, b) => a.seq - b.seq)).toEqual(all);
    // The session as the events left it is the session as it is (getSession adds the full bot and botAccess).
    const { session: fresh } = await caller.chat.getSession({ sessionId: session.id });
    expect(sessionState).toEqual({ ...withoutBotAccess(fresh), bot: fresh.bot && { id: fresh.bot.id, name: fresh.bot.name, displayName: fresh.bot.displayName, avatar: fresh.bot.avatar, status: fresh.bot.status } });
  }, 120_000);
});

function withoutBotAccess<T extends { botAccess?: unknown }>(session: T): Omit<T, "botAccess"> {
  const copy = { ...session };
  delete copy.botAccess;
  return copy;
}
