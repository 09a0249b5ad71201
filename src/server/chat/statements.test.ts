/**
 * SQL statements per call, counted at the pg driver (BEGIN/COMMIT included), against BUDGETS.md:
 * listSessions ≤ 3 whatever the page size, listMessages ≤ 2, sendMessage ≤ 5, on every path.
 * Set REPORT_STATEMENTS=1 to print what was observed.
 */
import { createId } from "@paralleldrive/cuid2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, createBot, createUser } from "@/test/fixtures";
import { storeBotReply } from "@/test/replies";

let t: TestDatabase;
let w: Awaited<ReturnType<typeof world>>;
const observed: Record<string, number> = {};

async function world() {
  const user = await createUser(t.db);
  const caller = callerFor(t.db, user);
  const [botA, botB] = [await createBot(t.db), await createBot(t.db)];
  // 120 sessions across two bots and all statuses, each with a last-message preview.
  await t.db.chatSession.createMany({
    data: Array.from({ length: 120 }, (_, i) => ({
      id: createId(), userId: user.id, botId: i % 2 ? botA.id : botB.id, title: `s${i}`,
      status: (["active", "paused", "closed"] as const)[i % 3],
      lastActiveAt: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 7)),
      lastMessageId: createId(), lastMessageContent: `preview ${i}`, lastMessageSenderType: "bot" as const, lastMessageAt: new Date(),
      messageCount: 1,
    })),
  });
  const { session } = await caller.chat.createSession({ botId: botA.id });
  const ids: string[] = [];
  for (let i = 0; i < 150; i++) {
    ids.push(i % 4 === 3
      ? (await storeBotReply(t.db, { sessionId: session.id, bot: botA, content: `r${i}` })).id
      : (await caller.chat.sendMessage({ sessionId: session.id, content: `m${i}` })).message.id);
  }
  const { session: empty } = await caller.chat.createSession({ botId: botA.id });
  const { session: closed } = await caller.chat.createSession({ botId: botA.id });
  await caller.chat.closeSession({ sessionId: closed.id });
  const privateBot = await createBot(t.db, { visibility: "private" });
  const revoked = await t.db.chatSession.create({ data: { userId: user.id, botId: privateBot.id, title: "revoked" } });
  return { user, caller, botA, session, ids, empty, closed, revoked };
}

/**
 * Statements one call sends; the call runs once beforehand so no connection is opened inside it.
 * Calls named "(refused)" must fail; all others must succeed.
 */
async function count(name: string, call: () => Promise<unknown>): Promise<number> {
  const run = name.includes("(refused)") ? () => expect(call()).rejects.toHaveProperty("code") : call;
  await run();
  t.statements.reset();
  await run();
  const n = t.statements.count;
  observed[name] = n;
  return n;
}

beforeAll(async () => {
  t = await createTestDatabase();
  w = await world();
});
afterAll(async () => {
  if (process.env.REPORT_STATEMENTS) console.info(`statements per call (${t?.kind}):`, observed);
  await t?.close();
});

describe("statements per chat.listSessions page (budget 3)", () => {
  it("stays within budget, and the same, for pages of 1, 20 and 100 rows out of 120+", async () => {
    const counts: number[] = [];
    for (const limit of [1, 20, 100]) {
      const page = await w.caller.chat.listSessions({ limit });
      expect(page.sessions).toHaveLength(limit);
      expect(page.total).toBeGreaterThanOrEqual(100);
      counts.push(await count(`listSessions limit ${limit}`, () => w.caller.chat.listSessions({ limit })));
    }
    for (const n of counts) expect(n).toBeLessThanOrEqual(3);
    expect(new Set(counts).size).toBe(1);
  });

  it("stays within budget on later pages and with filters", async () => {
    const first = await w.caller.chat.listSessions({ limit: 20 });
    const calls = {
      "listSessions next page (100)": () => w.caller.chat.listSessions({ limit: 100, cursor: first.nextCursor }),
      "listSessions status filter (100)": () => w.caller.chat.listSessions({ limit: 100, status: "active" }),
      "listSessions bot filter (100)": () => w.caller.chat.listSessions({ limit: 100, botId: w.botA.id }),
    };
    for (const [name, call] of Object.entries(calls)) expect(await count(name, call), name).toBeLessThanOrEqual(3);
  });
});

describe("statements per chat.listMessages page (budget 2)", () => {
  it("stays within budget with and without before, whatever the page size", async () => {
    const calls = {
      "listMessages newest (50)": () => w.caller.chat.listMessages({ sessionId: w.session.id }),
      "listMessages newest (100)": () => w.caller.chat.listMessages({ sessionId: w.session.id, limit: 100 }),
      "listMessages before, middle (50)": () => w.caller.chat.listMessages({ sessionId: w.session.id, before: w.ids[100]! }),
      "listMessages before, oldest (1)": () => w.caller.chat.listMessages({ sessionId: w.session.id, limit: 1, before: w.ids[1]! }),
      "listMessages empty session": () => w.caller.chat.listMessages({ sessionId: w.empty.id }),
    };
    for (const [name, call] of Object.entries(calls)) expect(await count(name, call), name).toBeLessThanOrEqual(2);
    expect((await w.caller.chat.listMessages({ sessionId: w.session.id, before: w.ids[100]! })).messages).toHaveLength(50);
  });
});

describe("statements per chat.sendMessage (budget 5)", () => {
  it("stays within budget on every path: plain, replyTo, clientId, a retried clientId, and refusals", async () => {
    let k = 0;
    const sessionId = w.session.id;
    const calls = {
      "sendMessage plain": () => w.caller.chat.sendMessage({ sessionId, content: `plain ${k++}` }),
      "sendMessage replyTo": () => w.caller.chat.sendMessage({ sessionId, content: `reply ${k++}`, replyTo: w.ids[0]! }),
      "sendMessage new clientId": () => w.caller.chat.sendMessage({ sessionId, content: "c", clientId: `c-${k++}` }),
      "sendMessage repeated clientId": () => w.caller.chat.sendMessage({ sessionId, content: "c", clientId: "same" }),
      "sendMessage bad replyTo (refused)": () => w.caller.chat.sendMessage({ sessionId, content: "x", replyTo: "no-such-message" }),
      "sendMessage closed session (refused)": () => w.caller.chat.sendMessage({ sessionId: w.closed.id, content: "x", clientId: "x" }),
      "sendMessage unknown session (refused)": () => w.caller.chat.sendMessage({ sessionId: "no-such-session", content: "x" }),
      "sendMessage bot no longer usable (refused)": () => w.caller.chat.sendMessage({ sessionId: w.revoked.id, content: "x", clientId: "x" }),
    };
    for (const [name, call] of Object.entries(calls)) expect(await count(name, call), name).toBeLessThanOrEqual(5);
    // The plain path is one transaction (BEGIN … COMMIT) of two statements: its job in the queue;
    // then the message with its counters, preview, dispatch and events.
    expect(observed["sendMessage plain"]).toBe(4);
  });
});
