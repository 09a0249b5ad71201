/**
 * Property tests of the two paged lists. Every row carries the same timestamp as many others (the
 * original paged by created_at and skipped or repeated rows on ties), rows are added between page
 * fetches, and the pages must still concatenate to exactly the rows that existed, in order, with
 * hasMore / nextCursor exact on every page, including when exactly `limit` rows remain.
 */
import { createId } from "@paralleldrive/cuid2";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@/generated/prisma/client";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, createBot, createUser } from "@/test/fixtures";

let t: TestDatabase;
let bots: Awaited<ReturnType<typeof createBot>>[];
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 4 });
  bots = [await createBot(t.db), await createBot(t.db)];
});
afterAll(async () => {
  await t?.close();
});

// fast-check's default sizes keep arrays to about 10 items; "max" spreads them over the whole range.
const numRuns = Number(process.env.PAGING_RUNS ?? 15);
const SAME_TIME = new Date("2024-05-01T12:00:00.000Z");
// Page sizes over the whole range, but often small, so runs span many pages.
const Limit = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 100 }));

describe("chat.listMessages paging", () => {
  it("concatenates to exactly the session's messages, oldest first, with exact hasMore and nextCursor", async () => {
    const user = await createUser(t.db);
    const caller = callerFor(t.db, user);

    const property = fc.asyncProperty(
      fc.integer({ min: 0, max: 250 }),
      Limit,
      // How many messages arrive after the 1st, 2nd, … page is fetched.
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 12, size: "max" }),
      async (count, limit, arrivals) => {
        const { session } = await caller.chat.createSession({ botId: bots[0]!.id });
        const ids = Array.from({ length: count }, () => createId());
        await t.db.message.createMany({
          data: ids.map((id, i) => ({
            id, sessionId: session.id, userId: user.id, seq: i + 1, content: `m${i + 1}`,
            ...(i % 3 === 2
              ? { senderType: "bot" as const, senderName: "Bot", botId: bots[0]!.id, status: "delivered" as const, ackStatus: "acked" as const }
              : { senderType: "user" as const, senderName: "Tess", senderId: user.id, status: "sent" as const }),
          })),
        });
        await t.db.chatSession.update({ where: { id: session.id }, data: { messageCount: count } });
        const sameTime = () => t.db.$executeRaw`UPDATE "Message" SET "createdAt" = ${SAME_TIME} WHERE "sessionId" = ${session.id}`;
        await sameTime();

        const fetched: string[][] = [];
        let before: string | undefined;
        let end = count; // the original messages not yet paged are ids[0 .. end)
        for (let pageNo = 0; ; pageNo++) {
          const page = await caller.chat.listMessages({ sessionId: session.id, limit, ...(before ? { before } : {}) });
          const start = Math.max(0, end - limit);
          expect(page.messages.map((m) => m.id)).toEqual(ids.slice(start, end));
          expect(page.messages.map((m) => m.seq)).toEqual(Array.from({ length: end - start }, (_, i) => start + i + 1));
          expect(page.hasMore).toBe(start > 0);
          expect(page.nextCursor).toBe(start > 0 ? ids[start]! : null);
          fetched.unshift(page.messages.map((m) => m.id));
          if (!page.hasMore) break;
          before = page.nextCursor!;
          end = start;
          for (let i = 0; i < (arrivals[pageNo] ?? 0); i++) {
            await caller.chat.sendMessage({ sessionId: session.id, content: `late ${pageNo}.${i}` });
          }
          if (arrivals[pageNo]) await sameTime();
        }
        expect(fetched.flat()).toEqual(ids);
        expect(fetched.length).toBe(Math.max(1, Math.ceil(count / limit)));
      },
    );
    await fc.assert(property, {
      numRuns,
      examples: [
        [0, 1, []],
        [1, 1, []],
        [50, 50, []], // exactly limit: one page, hasMore false
        [100, 50, [2]], // exactly limit left for the second page
        [101, 50, [1, 1]],
        [250, 100, [3, 3]],
        [150, 1, []],
        [99, 33, [0, 2]],
      ],
    });
  }, 120_000);
});

describe("chat.listSessions paging", () => {
  // Three instants shared by many sessions, oldest first; new sessions land among them or after them.
  const AT = [new Date("2024-01-01T00:00:00.000Z"), new Date("2024-01-01T00:00:00.001Z"), new Date("2024-02-01T00:00:00.000Z")];
  const Status = fc.constantFrom("active" as const, "paused" as const, "closed" as const);
  // 0, 1: a bot; 2: no bot (never listed).
  const SessionSpec = fc.record({ at: fc.integer({ min: 0, max: 2 }), status: Status, bot: fc.integer({ min: 0, max: 2 }) });

  const noFilter = { status: undefined, bot: undefined };

  it("pages through exactly the matching sessions, newest first, no repeat or skip while sessions are added", async () => {
    const property = fc.asyncProperty(
      fc.array(SessionSpec, { maxLength: 130, size: "max" }),
      Limit,
      fc.record({
        status: fc.option(fc.constantFrom("active" as const, "closed" as const), { nil: undefined, freq: 2 }),
        bot: fc.option(fc.constantFrom(0, 1), { nil: undefined, freq: 2 }),
      }),
      // Sessions added after the 1st, 2nd, … page: at an existing instant (ties) or now (createSession).
      fc.array(fc.array(fc.record({ at: fc.integer({ min: 0, max: 3 }), bot: fc.integer({ min: 0, max: 1 }) }), { maxLength: 3 }), { maxLength: 10, size: "max" }),
      async (specs, limit, filter, arrivals) => {
        const user = await createUser(t.db);
        const caller = callerFor(t.db, user);
        const botOf = (i: number) => (i < 2 ? bots[i]!.id : null);
        await t.db.chatSession.createMany({
          data: specs.map((spec) => ({
            id: createId(), userId: user.id, botId: botOf(spec.bot), title: "s", status: spec.status, lastActiveAt: AT[spec.at]!,
          })),
        });
        const input = {
          limit,
          ...(filter.status ? { status: filter.status } : {}),
          ...(filter.bot !== undefined ? { botId: bots[filter.bot]!.id } : {}),
        };
        const where = Prisma.sql`"userId" = ${user.id} AND "botId" IS NOT NULL
          ${filter.status ? Prisma.sql`AND status = ${filter.status}::"SessionStatus"` : Prisma.empty}
          ${filter.bot !== undefined ? Prisma.sql`AND "botId" = ${bots[filter.bot]!.id}` : Prisma.empty}`;
        // The oracle: the contract's order over everything that matches, with no paging involved.
        const ordered = async () =>
          (await t.db.$queryRaw<{ id: string }[]>`SELECT id FROM "ChatSession" WHERE ${where} ORDER BY "lastActiveAt" DESC, id DESC`).map((r) => r.id);
        const original = await ordered();

        const seen: string[] = [];
        let cursor: string | null = null;
        for (let pageNo = 0; ; pageNo++) {
          const page = await caller.chat.listSessions({ ...input, cursor });
          const now = await ordered();
          expect(page.total).toBe(now.length);
          const ids = page.sessions.map((s) => s.id);
          // The page is the next run of rows in the current order, right after the last one seen.
          const from = seen.length ? now.indexOf(seen.at(-1)!) + 1 : 0;
          expect(ids).toEqual(now.slice(from, from + limit));
          const rowsFollow = from + ids.length < now.length;
          expect(page.nextCursor === null).toBe(!rowsFollow);
          seen.push(...ids);
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
          for (const arrival of arrivals[pageNo] ?? []) {
            if (arrival.at === 3) await caller.chat.createSession({ botId: bots[arrival.bot]!.id });
            else await t.db.chatSession.create({ data: { userId: user.id, botId: botOf(arrival.bot), title: "late", lastActiveAt: AT[arrival.at]! } });
          }
        }
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.filter((id) => original.includes(id))).toEqual(original);
        // Everything seen is in the contract's order.
        const final = await ordered();
        expect(seen).toEqual(final.filter((id) => seen.includes(id)));
      },
    );
    await fc.assert(property, {
      numRuns: numRuns * 2,
      examples: [
        [[], 20, noFilter, []],
        [Array.from({ length: 20 }, () => ({ at: 0, status: "active" as const, bot: 0 })), 20, noFilter, []], // exactly limit
        [Array.from({ length: 40 }, (_, i) => ({ at: i % 2, status: "active" as const, bot: i % 3 })), 10, noFilter, [[{ at: 0, bot: 0 }], [{ at: 1, bot: 1 }, { at: 3, bot: 0 }]]],
        [Array.from({ length: 101 }, () => ({ at: 2, status: "closed" as const, bot: 1 })), 100, { status: "closed" as const, bot: 1 as const }, [[{ at: 2, bot: 1 }]]],
      ],
    });
  }, 120_000);
});
