/**
 * The fault test of live updates: a real tRPC client (httpSubscriptionLink with retryLink, as a
 * browser's) subscribed over real HTTP and SSE through a proxy that cuts its connection 100 times
 * while 500 events are written. Each cut waits for the client to be back, so every reconnect has
 * events before it and behind it; each resumes after the last tracked id. The client's final state
 * must equal the database's, with every event received once and in order.
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
  let accepted = 0;
  const server: Server = createTcpServer((client) => {
    accepted++;
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
    /** Connections made through the proxy so far. */
    get accepted() {
      return accepted;
    },
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
    const base = (await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).eventSeq;
    // The resume point of every stream the server was asked for (the client's tracked id).
    const resumedFrom: number[] = [];
    const http = createHTTPServer({
      router: appRouter,
      createContext: ({ req }) => {
        const input = new URL(req.url ?? "/", "http://proxy").searchParams.get("input");
        // An EventSource reconnecting by itself sends its last id as a header; tRPC's retry, in the input.
        const resume = req.headers["last-event-id"] ?? (input && (JSON.parse(input) as { json?: { lastEventId?: string } }).json?.lastEventId);
        if (resume) resumedFrom.push(Number(resume));
        return { db: t.db, chat, bus: chat.events as EventBus, user, clientIp: "127.0.0.1", rateLimits: noRateLimits };
      },
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const proxy = await startCuttingProxy((http.address() as AddressInfo).port);

    const client = createTRPCClient<AppRouter>({
      links: [
        retryLink({ retry: () => true, retryDelayMs: () => 20 }),
        httpSubscriptionLink({
          url: `http://127.0.0.1:${proxy.port}`,
          transformer: superjson,
          EventSource,
          eventSourceOptions: { fetch: reconnectingSoon },
        }),
      ],
    });
    const received: { id: number; event: ChatEvent }[] = [];
    const messages = new Map<string, Message>();
    let sessionState: ChatSession | null = null;
    // As a page does that loaded its data at seq `base`: from there, not from whatever is newest
    // when its stream happens to connect.
    const subscription = client.chat.onEvent.subscribe(
      { lastEventId: String(base) },
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

    // 250 sends (a message.created and a session.updated each: 500 events), with a cut every ~5
    // events, each as soon as the send returns (its events are in flight), once the client is back.
    let cuts = 0;
    for (let i = 0; i < 250; i++) {
      await caller.chat.sendMessage({ sessionId: session.id, content: `message ${i}` });
      if ((i % 5 === 1 || i % 5 === 3) && cuts < 100) {
        const before = proxy.accepted;
        proxy.cut();
        cuts++;
        await expect.poll(() => proxy.accepted, { timeout: 10_000, interval: 5 }).toBeGreaterThan(before);
        // Back, and caught up: what was in flight at the cut came by the resume.
        await expect.poll(() => received.at(-1)?.id ?? base, { timeout: 10_000, interval: 5 }).toBeGreaterThanOrEqual(base + 2 * (i + 1));
      }
    }
    const last = (await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).eventSeq;
    expect(last - base).toBe(500);
    await expect.poll(() => received.at(-1)?.id, { timeout: 30_000 }).toBe(last);
    subscription.unsubscribe();
    await proxy.close();
    await new Promise((resolve) => http.close(resolve));

    expect(cuts).toBe(100);
    // The first stream and each of the 100 reconnects asked to resume, never from further back than
    // the one before, the last from near the end.
    expect(proxy.accepted).toBeGreaterThanOrEqual(101);
    expect(resumedFrom.length).toBeGreaterThanOrEqual(101);
    expect(resumedFrom).toEqual([...resumedFrom].sort((a, b) => a - b));
    expect(resumedFrom[0]).toBe(base);
    expect(resumedFrom.at(-1)).toBeGreaterThan(base + 400);
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

/**
 * fetch for the EventSource, with an SSE `retry: 20` ahead of the stream: it reconnects 20 ms after a
 * drop instead of its default 3 s (tRPC's server sends no retry field), so 100 cuts take seconds.
 */
const reconnectingSoon: typeof fetch = async (url, init) => {
  const response = await fetch(url, init);
  if (!response.body) return response;
  const retry = new TextEncoder().encode("retry: 20\n\n");
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        controller.enqueue(retry);
      },
    }),
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
};

function withoutBotAccess<T extends { botAccess?: unknown }>(session: T): Omit<T, "botAccess"> {
  const copy = { ...session };
  delete copy.botAccess;
  return copy;
}
