import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, createBot, createUser } from "@/test/fixtures";
import { trpcError } from "@/test/trpc";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

/**
 * One world of bots, seen by `me`: every combination of status, visibility, ownership and grant.
 * `usable` is what the contract says bot.list shows me.
 */
async function world() {
  const me = await createUser(t.db, "Me");
  const other = await createUser(t.db, "Other");
  const stamp = Date.now().toString(36);
  const make = async (key: string, options: Parameters<typeof createBot>[1], usable: boolean, grant?: "use" | "manage") => {
    const bot = await createBot(t.db, { name: `${key}-${stamp}`, displayName: `${key} ${stamp}`, ...options });
    if (grant) await t.db.botAccess.create({ data: { userId: me.id, botId: bot.id, role: grant } });
    return { key, bot, usable };
  };
  const bots = [
    await make("public-online", { visibility: "public", status: "online" }, true),
    await make("public-offline", { visibility: "public", status: "offline" }, true),
    await make("public-disabled", { visibility: "public", status: "disabled" }, false),
    await make("mine-online", { visibility: "private", ownerId: me.id, status: "online" }, true),
    await make("mine-offline", { visibility: "private", ownerId: me.id, status: "offline" }, true),
    await make("mine-disabled", { visibility: "private", ownerId: me.id, status: "disabled" }, false),
    await make("theirs-private", { visibility: "private", ownerId: other.id }, false),
    await make("theirs-granted-use", { visibility: "private", ownerId: other.id, status: "offline" }, true, "use"),
    await make("theirs-granted-manage", { visibility: "private", ownerId: other.id }, true, "manage"),
    await make("theirs-granted-disabled", { visibility: "private", ownerId: other.id, status: "disabled" }, false, "use"),
    await make("nobodys-private", { visibility: "private" }, false),
  ];
  // A grant to someone else gives me nothing.
  const grantedToOther = await make("granted-to-other", { visibility: "private", ownerId: other.id }, false);
  await t.db.botAccess.create({ data: { userId: other.id, botId: grantedToOther.bot.id, role: "use" } });
  bots.push(grantedToOther);
  return { me, other, bots, stamp };
}

let w: Awaited<ReturnType<typeof world>>;
beforeAll(async () => {
  w = await world();
});

describe("bot.list", () => {
  it("lists exactly the bots the caller may use: public, own or granted, never disabled", async () => {
    const { bots } = await callerFor(t.db, w.me).bot.list();
    expect(bots.map((b) => b.id).sort()).toEqual(w.bots.filter((b) => b.usable).map((b) => b.bot.id).sort());
    expect(bots.some((b) => b.status === "disabled")).toBe(false);
  });

  it("agrees with createSession: a bot is listed exactly when starting a chat with it is not FORBIDDEN", async () => {
    const caller = callerFor(t.db, w.me);
    const listed = new Set((await caller.bot.list()).bots.map((b) => b.id));
    for (const { key, bot } of w.bots) {
      const outcome = await caller.chat.createSession({ botId: bot.id }).then(
        () => "created",
        (error: { code: string }) => error.code,
      );
      expect({ key, outcome: outcome === "FORBIDDEN" ? "FORBIDDEN" : "allowed" }).toEqual({
        key,
        outcome: listed.has(bot.id) ? "allowed" : "FORBIDDEN",
      });
    }
  });

  it("lists online bots first", async () => {
    const { bots } = await callerFor(t.db, w.me).bot.list();
    const statuses = bots.map((b) => b.status);
    expect(statuses.filter((s) => s === "online").length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === "offline").length).toBeGreaterThan(0);
    expect(statuses.lastIndexOf("online")).toBeLessThan(statuses.indexOf("offline"));
  });

  it("returns the Bot shape, no agent or secret fields", async () => {
    const { bots } = await callerFor(t.db, w.me).bot.list();
    const mine = bots.find((b) => b.name === `mine-online-${w.stamp}`)!;
    expect(mine).toEqual({
      id: expect.any(String),
      name: `mine-online-${w.stamp}`,
      displayName: `mine-online ${w.stamp}`,
      avatar: null,
      status: "online",
      description: null,
      visibility: "private",
      createdAt: expect.any(Date),
    });
  });

  it("filters by query on name or display name, case-insensitively, and never widens the set", async () => {
    const caller = callerFor(t.db, w.me);
    await t.db.bot.update({
      where: { id: w.bots.find((b) => b.key === "public-online")!.bot.id },
      data: { name: `weather-${w.stamp}`, displayName: `Sunny Forecaster ${w.stamp}` },
    });
    const names = async (query: string) => (await caller.bot.list({ query })).bots.map((b) => b.name).sort();
    expect(await names("WEATHER")).toEqual([`weather-${w.stamp}`]);
    expect(await names("forecAST")).toEqual([`weather-${w.stamp}`]);
    expect(await names("  sunny  ")).toEqual([`weather-${w.stamp}`]);
    // Matches only usable bots even when unusable ones match the text.
    expect(await names("THEIRS-")).toEqual([`theirs-granted-manage-${w.stamp}`, `theirs-granted-use-${w.stamp}`]);
    expect(await names("disabled")).toEqual([]);
    expect(await names("no bot is called this")).toEqual([]);
    // Display name only: "mine-online 1abc" has a space where the name has a dash.
    expect(await names(`MINE-ONLINE ${w.stamp}`)).toEqual([`mine-online-${w.stamp}`]);
    // An empty query is no filter.
    expect((await names("")).length).toBe(w.bots.filter((b) => b.usable).length);
  });

  it("treats LIKE wildcards and backslashes in the query as literal text", async () => {
    const caller = callerFor(t.db, w.me);
    const sale = await createBot(t.db, { name: `sale_bot-${w.stamp}`, displayName: `Half Price 50% Off \\o/ ${w.stamp}` });
    const names = async (query: string) => (await caller.bot.list({ query })).bots.map((b) => b.name);
    expect(await names("%")).toEqual([sale.name]);
    expect(await names("_")).toEqual([sale.name]);
    expect(await names("50% OFF")).toEqual([sale.name]);
    expect(await names("5_%")).toEqual([]);
    expect(await names("\\O/")).toEqual([sale.name]);
    expect(await names("\\")).toEqual([sale.name]);
    await t.db.bot.delete({ where: { id: sale.id } });
  });

  it("shows another user their own view", async () => {
    const { bots } = await callerFor(t.db, w.other).bot.list();
    const keys = w.bots.filter((b) => bots.some((listed) => listed.id === b.bot.id)).map((b) => b.key).sort();
    expect(keys).toEqual(["granted-to-other", "public-offline", "public-online", "theirs-granted-manage", "theirs-granted-use", "theirs-private"]);
  });
});

describe("chat.createSession permissions", () => {
  it("answers NOT_FOUND 'Bot not found' for an unknown bot", async () => {
    const error = await trpcError(callerFor(t.db, w.me).chat.createSession({ botId: "no-such-bot" }));
    expect([error.code, error.message]).toEqual(["NOT_FOUND", "Bot not found"]);
  });

  it("answers FORBIDDEN 'Permission denied' for a private bot without grant and for disabled bots", async () => {
    for (const key of ["theirs-private", "public-disabled", "mine-disabled", "theirs-granted-disabled", "granted-to-other"]) {
      const bot = w.bots.find((b) => b.key === key)!.bot;
      const before = await t.db.chatSession.count();
      const error = await trpcError(callerFor(t.db, w.me).chat.createSession({ botId: bot.id }));
      expect({ key, code: error.code, message: error.message }).toEqual({ key, code: "FORBIDDEN", message: "Permission denied" });
      expect(await t.db.chatSession.count()).toBe(before);
    }
  });

  it("answers PRECONDITION_FAILED 'Bot has no agent bound' for a usable bot without an agent", async () => {
    const bot = await createBot(t.db, { agent: false });
    const before = await t.db.chatSession.count();
    const error = await trpcError(callerFor(t.db, w.me).chat.createSession({ botId: bot.id }));
    expect([error.code, error.message]).toEqual(["PRECONDITION_FAILED", "Bot has no agent bound"]);
    expect(await t.db.chatSession.count()).toBe(before);
  });

  it("checks permission before the agent: a forbidden bot without agent is FORBIDDEN", async () => {
    const bot = await createBot(t.db, { agent: false, visibility: "private", ownerId: w.other.id });
    const error = await trpcError(callerFor(t.db, w.me).chat.createSession({ botId: bot.id }));
    expect(error.code).toBe("FORBIDDEN");
  });
});

describe("chat.sendMessage to an existing session, when the bot's permissions change", () => {
  /** A session with this bot, made directly: some of these bots would refuse a new chat. */
  async function sessionWith(userId: string, botId: string) {
    return t.db.chatSession.create({ data: { userId, botId, title: "Earlier chat" } });
  }

  it("refuses exactly the bots the user may no longer use, disabled ones aside, and getSession agrees", async () => {
    const caller = callerFor(t.db, w.me);
    for (const { key, bot } of w.bots) {
      const session = await sessionWith(w.me.id, bot.id);
      const { session: seen } = await caller.chat.getSession({ sessionId: session.id });
      const outcome = await caller.chat.sendMessage({ sessionId: session.id, content: "still there?" }).then(
        () => "sent",
        (error: { code: string; message: string }) => `${error.code} ${error.message}`,
      );
      // A disabled bot pauses its sessions but keeps taking messages (API.md); only access counts.
      const hasAccess = !key.startsWith("theirs-private") && !key.startsWith("nobodys") && key !== "granted-to-other";
      expect({ key, outcome, botAccess: seen.botAccess }).toEqual({
        key,
        outcome: hasAccess ? "sent" : "FORBIDDEN Permission denied",
        botAccess: hasAccess,
      });
      const stored = await t.db.message.count({ where: { sessionId: session.id } });
      const { messageCount } = await t.db.chatSession.findUniqueOrThrow({ where: { id: session.id } });
      expect({ key, stored, messageCount }).toEqual({ key, stored: hasAccess ? 1 : 0, messageCount: hasAccess ? 1 : 0 });
    }
  });

  it("refuses once a private bot's grant is revoked: FORBIDDEN, nothing stored, history still readable", async () => {
    const owner = await createUser(t.db, "Owner");
    const user = await createUser(t.db, "Grantee");
    const bot = await createBot(t.db, { visibility: "private", ownerId: owner.id });
    await t.db.botAccess.create({ data: { userId: user.id, botId: bot.id, role: "use" } });
    const caller = callerFor(t.db, user);
    const { session } = await caller.chat.createSession({ botId: bot.id });
    const first = await caller.chat.sendMessage({ sessionId: session.id, content: "before", clientId: "c-1" });

    await t.db.botAccess.delete({ where: { userId_botId: { userId: user.id, botId: bot.id } } });
    const error = await trpcError(caller.chat.sendMessage({ sessionId: session.id, content: "after", clientId: "c-2" }));
    expect([error.code, error.message]).toEqual(["FORBIDDEN", "Permission denied"]);
    expect((await caller.chat.listMessages({ sessionId: session.id })).messages.map((m) => m.content)).toEqual(["before"]);
    const { session: after } = await caller.chat.getSession({ sessionId: session.id });
    expect([after.botAccess, after.messageCount, after.lastActiveAt]).toEqual([false, 1, first.message.createdAt]);
    // A retry of what was stored before the revocation still gets the first answer: never an error.
    expect(await caller.chat.sendMessage({ sessionId: session.id, content: "before", clientId: "c-1" })).toEqual(first);

    // Granted again, the chat goes on.
    await t.db.botAccess.create({ data: { userId: user.id, botId: bot.id, role: "use" } });
    await expect(caller.chat.sendMessage({ sessionId: session.id, content: "again" })).resolves.toMatchObject({ message: { seq: 2 } });
    expect((await caller.chat.getSession({ sessionId: session.id })).session.botAccess).toBe(true);
  });

  it("refuses when a public bot is made private, and says so before saying the session is closed", async () => {
    const user = await createUser(t.db, "Pub");
    const bot = await createBot(t.db, { visibility: "public" });
    const caller = callerFor(t.db, user);
    const { session } = await caller.chat.createSession({ botId: bot.id });
    await t.db.bot.update({ where: { id: bot.id }, data: { visibility: "private" } });
    expect((await trpcError(caller.chat.sendMessage({ sessionId: session.id, content: "hi" }))).code).toBe("FORBIDDEN");
    await caller.chat.closeSession({ sessionId: session.id });
    expect((await trpcError(caller.chat.sendMessage({ sessionId: session.id, content: "hi" }))).code).toBe("FORBIDDEN");
  });

  it("still takes messages when the bot is disabled (the reply fails later, API.md)", async () => {
    const user = await createUser(t.db, "Dis");
    const bot = await createBot(t.db, { visibility: "public" });
    const caller = callerFor(t.db, user);
    const { session } = await caller.chat.createSession({ botId: bot.id });
    await t.db.bot.update({ where: { id: bot.id }, data: { status: "disabled" } });
    await expect(caller.chat.sendMessage({ sessionId: session.id, content: "hello?" })).resolves.toMatchObject({ message: { status: "sent" } });
    expect((await caller.chat.getSession({ sessionId: session.id })).session.botAccess).toBe(true);
  });
});
