import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, createBot, createUser } from "@/test/fixtures";

/**
 * chat.listSessions' `total` comes from ChatSessionTally, kept by triggers: whatever happens to
 * sessions, it must equal a plain count of what the filters match.
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

async function expectTotalsToMatchCounts(userId: string, botIds: string[]) {
  const caller = callerFor(t.db, { id: userId, email: "x@example.com", name: null });
  for (const status of [undefined, "active", "paused", "closed"] as const) {
    for (const botId of [undefined, ...botIds]) {
      const expected = await t.db.chatSession.count({ where: { userId, botId: botId ?? { not: null }, ...(status ? { status } : {}) } });
      const { total } = await caller.chat.listSessions({ status, botId, limit: 1 });
      expect({ status, botId, total }).toEqual({ status, botId, total: expected });
    }
  }
}

describe("chat.listSessions total", () => {
  it("follows creates, closes, pauses, concurrent changes and a deleted bot", async () => {
    const user = await createUser(t.db);
    const other = await createUser(t.db, "Other");
    const [a, b] = [await createBot(t.db), await createBot(t.db)];
    const caller = callerFor(t.db, user);
    const created = await Promise.all(
      Array.from({ length: 24 }, (_, i) => caller.chat.createSession({ botId: i % 3 === 0 ? b.id : a.id })),
    );
    await callerFor(t.db, other).chat.createSession({ botId: a.id });
    await expectTotalsToMatchCounts(user.id, [a.id, b.id]);

    // Closing (twice, concurrently), pausing, and a session that loses its bot.
    await Promise.all(created.slice(0, 8).flatMap(({ session }) => [
      caller.chat.closeSession({ sessionId: session.id }),
      caller.chat.closeSession({ sessionId: session.id }),
    ]));
    await t.db.chatSession.updateMany({ where: { id: { in: created.slice(8, 12).map((c) => c.session.id) } }, data: { status: "paused" } });
    await t.db.chatSession.update({ where: { id: created[12]!.session.id }, data: { botId: null } });
    await expectTotalsToMatchCounts(user.id, [a.id, b.id]);

    await t.db.bot.delete({ where: { id: b.id } });
    await expectTotalsToMatchCounts(user.id, [a.id, b.id]);
    expect((await caller.chat.listSessions({ botId: b.id })).total).toBe(0);

    await t.db.chatSession.deleteMany({ where: { id: { in: created.slice(13, 16).map((c) => c.session.id) } } });
    await expectTotalsToMatchCounts(user.id, [a.id]);
  });

  it("stays a constant amount of work as a user's sessions grow", async () => {
    const user = await createUser(t.db);
    const bot = await createBot(t.db);
    await t.db.$executeRaw`
      INSERT INTO "ChatSession" (id, "userId", "botId", title, "updatedAt")
      SELECT 'bulk-' || g || '-' || ${user.id}, ${user.id}, ${bot.id}, 'Bulk ' || g, now() FROM generate_series(1, 3000) g`;
    const tallyRows = await t.db.chatSessionTally.findMany({ where: { userId: user.id } });
    expect(tallyRows).toEqual([{ userId: user.id, botId: bot.id, status: "active", count: 3000 }]);
    expect((await callerFor(t.db, user).chat.listSessions({ limit: 5 })).total).toBe(3000);
  });
});
