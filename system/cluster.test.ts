/**
 * Several instances on one PostgreSQL behind HAProxy (round robin, no stickiness), driven over
 * HTTP: events cross instances, a killed instance's reply completes on the other, a rolling restart
 * loses and doubles nothing, limits are shared, and two browser tabs on two instances stay in step.
 */
import { join } from "node:path";
import { chromium, type Browser } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoReplyText } from "@/server/agents/demo";
import type { Message } from "@/shared";
import {
  createDatabase, postgresUrl, signUp, sql, startBalancer, startInstance, until, watch, type Instance,
} from "./harness";

const BOTS_FILE = join(import.meta.dirname, "bots.json");

describe.runIf(postgresUrl)("two instances behind a balancer", () => {
  let db: Awaited<ReturnType<typeof createDatabase>>;
  const instances: Record<"a" | "b", Instance> = {} as never;
  let balancer: Awaited<ReturnType<typeof startBalancer>>;
  let browser: Browser | undefined;

  const start = (name: "a" | "b", port?: number, env: Record<string, string> = {}) =>
    startInstance({ name, databaseUrl: db.url, port, env: { PITCHAT_BOTS_FILE: BOTS_FILE, TRUSTED_PROXY_HOPS: "1", ...env } }).then((i) => (instances[name] = i));

  beforeAll(async () => {
    db = await createDatabase();
    await start("a");
    await start("b");
    balancer = await startBalancer([
      { name: "a", port: instances.a.port },
      { name: "b", port: instances.b.port },
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await balancer?.stop();
    await Promise.all(Object.values(instances).map((i) => i.kill()));
    await db?.drop();
  });

  async function demoSession(api: ReturnType<Awaited<ReturnType<typeof signUp>>["api"]>) {
    const { bots } = await api.bot.list.query({ query: "Demo Bot" });
    return (await api.chat.createSession.mutate({ botId: bots[0]!.id })).session;
  }

  it("a subscriber on A sees what is sent through B and the bot's replies, in order, once", async () => {
    const user = await signUp(instances.a.url, "Across");
    const onA = watch(user.api(instances.a.url));
    const viaB = user.api(instances.b.url);
    const session = await demoSession(viaB);
    await until("the subscription on A", () => onA.events.length >= 1); // session.updated for the new session
    const sent: Message[] = [];
    for (const word of ["one", "two", "three"]) sent.push((await viaB.chat.sendMessage.mutate({ sessionId: session.id, content: `/echo ${word}` })).message);
    await until("three replies on A", () => onA.events.filter((e) => e.event.type === "message.updated" && e.event.message.replyStatus === "done").length >= 3);
    onA.stop();

    const ids = onA.events.map((e) => e.id).filter((id) => !id.includes("."));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.map(Number)).toEqual([...ids.map(Number)].sort((x, y) => x - y));
    const created = onA.events.flatMap((e) => (e.event.type === "message.created" ? [e.event.message] : []));
    expect(created.filter((m) => m.senderType === "user").map((m) => m.id)).toEqual(sent.map((m) => m.id));
    const replies = onA.events.flatMap((e) => (e.event.type === "message.updated" && e.event.message.replyStatus === "done" ? [e.event.message] : []));
    expect(replies.map((m) => [m.replyTo, m.content])).toEqual(sent.map((m, i) => [m.id, ["one", "two", "three"][i]]));
  });

  it("kill -9 of the instance writing a /slow reply: it completes on the other, stored once, and a subscriber sees it", async () => {
    const user = await signUp(balancer.url, "Killed");
    const api = user.api(balancer.url);
    const session = await demoSession(api);
    const watcher = watch(api, { sessionId: session.id });
    const { message } = await api.chat.sendMessage.mutate({ sessionId: session.id, content: "/slow", clientId: "slow" });
    await until("the first words", () => watcher.events.some((e) => e.event.type === "message.delta"), 20_000);
    const [{ runner }] = (await sql<{ runner: string }>(db.url, `SELECT runner FROM "Dispatch" WHERE "messageId" = $1`, [message.id])) as [{ runner: string }];
    const holder = (["a", "b"] as const).find((n) => instances[n].serverPid() === Number(runner.split(":")[1]))!;
    const killedAt = Date.now();
    await instances[holder].kill("SIGKILL");

    await until("the reply, finished on the other instance", () => watcher.events.some((e) => e.event.type === "message.updated" && e.event.message.replyStatus === "done"), 60_000);
    const tookOverIn = Date.now() - killedAt;
    watcher.stop();
    const { messages } = await api.chat.listMessages.query({ sessionId: session.id });
    expect(messages.filter((m) => m.senderType === "bot")).toEqual([expect.objectContaining({ replyTo: message.id, content: demoReplyText("/slow"), replyStatus: "done" })]);
    console.info(`kill -9 of ${holder} mid-reply: finished on the other instance ${tookOverIn} ms later`);
    await start(holder, instances[holder].port);
  });

  it("a rolling restart while a client sends every 100 ms: every send stored once, the subscriber ends equal to the database", async () => {
    const user = await signUp(balancer.url, "Rolling");
    const api = user.api(balancer.url);
    const session = await demoSession(api);
    // From a known point, as a page is: everything after the state it loaded.
    const [{ eventSeq: from }] = (await sql<{ eventSeq: number }>(db.url, `SELECT "eventSeq" FROM "User" WHERE email = $1`, [user.email])) as [{ eventSeq: number }];
    const watcher = watch(api, { lastEventId: String(from) });

    let sending = true;
    let sends = 0;
    let retries = 0;
    const sender = (async () => {
      while (sending) {
        const clientId = `c${sends++}`;
        // A send that fails (its instance went away) is sent again with the same clientId until it lands.
        for (;;) {
          try {
            await api.chat.sendMessage.mutate({ sessionId: session.id, content: `/echo ${clientId}`, clientId });
            break;
          } catch {
            retries++;
            await new Promise((r) => setTimeout(r, 200));
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    for (const name of ["a", "b"] as const) {
      const port = instances[name].port;
      await instances[name].kill("SIGTERM");
      await start(name, port);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    sending = false;
    await sender;

    const rows = await sql<{ clientId: string; n: number }>(db.url, `SELECT "clientId", count(*)::int AS n FROM "Message" WHERE "sessionId" = $1 AND "senderType" = 'user' GROUP BY 1`, [session.id]);
    expect(rows).toHaveLength(sends);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    // Every message answered once.
    await until("every reply", async () => (await sql<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM "Message" WHERE "sessionId" = $1 AND "senderType" = 'bot' AND "replyStatus" = 'done'`, [session.id]))[0]!.n === sends, 60_000);

    // The subscriber caught up, and its picture is the database's.
    const [{ eventSeq }] = (await sql<{ eventSeq: number }>(db.url, `SELECT "eventSeq" FROM "User" WHERE email = $1`, [user.email])) as [{ eventSeq: number }];
    await until("the subscriber to catch up", () => watcher.events.some((e) => Number(e.id) === eventSeq), 30_000);
    watcher.stop();
    const seen = new Map<string, Message>();
    for (const { event } of watcher.events) {
      if (event.type !== "message.created" && event.type !== "message.updated") continue;
      const held = seen.get(event.message.id);
      if (!held || held.updatedAt <= event.message.updatedAt) seen.set(event.message.id, event.message);
    }
    const stored = await api.chat.listMessages.query({ sessionId: session.id, limit: 100 });
    const all: Message[] = [...stored.messages];
    for (let before = stored.nextCursor; before; ) {
      const page = await api.chat.listMessages.query({ sessionId: session.id, limit: 100, before });
      all.unshift(...page.messages);
      before = page.nextCursor;
    }
    const ids = watcher.events.map((e) => e.id).filter((id) => !id.includes("."));
    const numeric = ids.map(Number);
    const missing: number[] = [];
    for (let seq = from + 1; seq <= eventSeq; seq++) if (!numeric.includes(seq)) missing.push(seq);
    expect(missing).toEqual([]);
    if (missing.length) console.info("missing seqs", missing.slice(0, 40), "first", numeric[0], "of", eventSeq, "events", numeric.length);
    expect([...seen.values()].sort((x, y) => x.seq - y.seq)).toEqual(all);
    expect(new Set(ids).size).toBe(ids.length);
    console.info(`rolling restart: ${sends} sends, ${retries} retried, all stored once`);
  });

  it("two browser tabs, one on each instance, stay in step", async () => {
    browser = await chromium.launch({
      executablePath: process.env.PLAYWRIGHT_BUNDLED_BROWSER ? undefined : (process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"),
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    });
    const user = await signUp(instances.a.url, "Tabs");
    const session = await demoSession(user.api(instances.a.url));
    const tab = async (instance: Instance) => {
      const context = await browser!.newContext();
      const page = await context.newPage();
      await page.goto(`${instance.url}/signin`);
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Password").fill("long enough password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/chat/);
      await page.goto(`${instance.url}/chat/${session.id}`);
      await expect.poll(() => page.getByTestId("connection-status").getAttribute("data-connection")).toBe("live");
      return page;
    };
    const [onA, onB] = [await tab(instances.a), await tab(instances.b)];
    const box = onA.getByRole("textbox", { name: "Message" });
    await box.fill("/echo from the tab on A");
    await box.press("Enter");
    const replyOnB = onB.locator('[data-testid="message"][data-sender="bot"]').filter({ hasText: "from the tab on A" });
    await expect.poll(() => replyOnB.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => onB.locator('[data-testid="message"][data-sender="user"]').filter({ hasText: "/echo from the tab on A" }).count()).toBe(1);
    // And back: B sends, A sees it.
    await onB.getByRole("textbox", { name: "Message" }).fill("/echo and from B");
    await onB.getByRole("textbox", { name: "Message" }).press("Enter");
    await expect.poll(() => onA.locator('[data-testid="message"][data-sender="bot"]').filter({ hasText: "and from B" }).count(), { timeout: 15_000 }).toBe(1);
  });
});

describe.runIf(postgresUrl)("limits behind a balancer", () => {
  it("a client sending through two instances gets the send limit once, not once per instance", async () => {
    const db = await createDatabase();
    const started: Instance[] = [];
    let balancer: Awaited<ReturnType<typeof startBalancer>> | undefined;
    try {
      const env = { PITCHAT_BOTS_FILE: BOTS_FILE, TRUSTED_PROXY_HOPS: "1", RATE_LIMIT_SEND: "6" };
      for (const name of ["c", "d"]) started.push(await startInstance({ name, databaseUrl: db.url, env }));
      balancer = await startBalancer(started.map((i) => ({ name: i.name, port: i.port })));
      const api = (await signUp(balancer.url, "Limited")).api(balancer.url);
      const { bots } = await api.bot.list.query({ query: "Demo Bot" });
      const { session } = await api.chat.createSession.mutate({ botId: bots[0]!.id });
      const outcomes: string[] = [];
      for (let i = 0; i < 12; i++) {
        try {
          await api.chat.sendMessage.mutate({ sessionId: session.id, content: `/echo ${i}` });
          outcomes.push("ok");
        } catch (error) {
          outcomes.push((error as { data?: { code?: string } }).data?.code ?? String(error));
        }
      }
      expect(outcomes.filter((o) => o === "ok")).toHaveLength(6);
      expect(outcomes.slice(6)).toEqual(Array(6).fill("TOO_MANY_REQUESTS"));
    } finally {
      await balancer?.stop();
      await Promise.all(started.map((i) => i.kill()));
      await db.drop();
    }
  });
});
