/**
 * chat.search on a real database (PGlite, and PostgreSQL with TEST_DATABASE_URL): what it finds,
 * in which order, with which snippet, page by page; that it never shows another user's chats; and
 * that the statement is served by the search indexes, bounded however many messages match.
 */
import { createId } from "@paralleldrive/cuid2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@/generated/prisma/client";
import { SEARCH_MARK, type SearchResult } from "@/shared";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, createBot, createUser, userWithSession } from "@/test/fixtures";
import { storeBotReply } from "@/test/replies";
import { trpcError } from "@/test/trpc";
import { SEARCH_CANDIDATES, searchStatement } from "./search";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

/** A snippet as a reader sees it, the highlighted words in [brackets]. */
const shown = (snippet: string) => snippet.replaceAll(SEARCH_MARK.start, "[").replaceAll(SEARCH_MARK.end, "]");
const summary = (results: SearchResult[]) => results.map((r) => ({ title: r.sessionTitle, message: r.messageId !== null, snippet: shown(r.snippet) }));

/** Messages stored directly (seq and counters kept right), oldest first, a second apart. */
async function storeMessages(sessionId: string, userId: string, contents: string[], start = Date.UTC(2026, 0, 1)) {
  const session = await t.db.chatSession.findUniqueOrThrow({ where: { id: sessionId } });
  const rows = contents.map((content, i) => ({
    id: createId(), sessionId, userId, seq: session.messageCount + i + 1, senderType: "user" as const, senderName: "Tess",
    senderId: userId, content, status: "sent" as const, createdAt: new Date(start + i * 1000),
  }));
  await t.db.message.createMany({ data: rows });
  await t.db.chatSession.update({ where: { id: sessionId }, data: { messageCount: session.messageCount + contents.length } });
  return rows;
}

describe("chat.search", () => {
  it("finds the caller's messages and titles by word, whatever the case, and never another user's", async () => {
    const { user, caller, session } = await userWithSession(t.db, "Ann");
    await caller.chat.renameSession({ sessionId: session.id, title: "Holiday in Lisbon" });
    const [question] = await storeMessages(session.id, user.id, ["Where should we eat in LISBON tonight?", "Something else entirely"]);
    const bob = await userWithSession(t.db, "Bob");
    await bob.caller.chat.renameSession({ sessionId: bob.session.id, title: "Lisbon secrets" });
    await storeMessages(bob.session.id, bob.user.id, ["Bob's Lisbon plans"]);

    const { results, nextCursor } = await caller.chat.search({ query: "lisbon" });
    expect(summary(results)).toEqual([
      { title: "Holiday in Lisbon", message: false, snippet: "Holiday in [Lisbon]" },
      { title: "Holiday in Lisbon", message: true, snippet: "Where should we eat in [LISBON] tonight?" },
    ]);
    expect(results[1]).toMatchObject({ sessionId: session.id, messageId: question!.id, createdAt: question!.createdAt, bot: { id: expect.any(String) } });
    expect(results[0]).toMatchObject({ sessionId: session.id, messageId: null, createdAt: session.createdAt });
    expect(nextCursor).toBeNull();
    // Bob sees his own, and only his.
    expect(summary((await bob.caller.chat.search({ query: "lisbon" })).results).map((r) => r.title)).toEqual(["Lisbon secrets", "Lisbon secrets"]);
  });

  it("ranks a title above messages, more occurrences above fewer, and ties newest first", async () => {
    const { user, caller, session } = await userWithSession(t.db);
    await caller.chat.renameSession({ sessionId: session.id, title: "Kiwi notes" });
    await storeMessages(session.id, user.id, ["kiwi once, first", "kiwi kiwi kiwi, many times", "kiwi once, second"]);
    const { results } = await caller.chat.search({ query: "kiwi" });
    expect(summary(results).map((r) => r.snippet)).toEqual([
      "[Kiwi] notes",
      "[kiwi] [kiwi] [kiwi], many times",
      "[kiwi] once, second",
      "[kiwi] once, first",
    ]);
    const ranks = results.map((r) => r.rank);
    expect(ranks[0]).toBeGreaterThan(ranks[1]!);
    expect(ranks[1]).toBeGreaterThan(ranks[2]!);
    expect(ranks[2]).toBe(ranks[3]);
  });

  it("takes web-search syntax: a quoted phrase, OR, and -excluded words", async () => {
    const { user, caller, session } = await userWithSession(t.db);
    await storeMessages(session.id, user.id, ["red apple pie", "apple red wine", "green apple", "banana bread"]);
    const snippets = async (query: string) => summary((await caller.chat.search({ query })).results).map((r) => r.snippet).sort();
    expect(await snippets('"red apple"')).toEqual(["[red] [apple] pie"]);
    expect(await snippets("apple -red")).toEqual(["green [apple]"]);
    expect(await snippets("pie or bread")).toEqual(["banana [bread]", "red apple [pie]"]);
    // Whole words only: no stemming, no prefixes.
    expect(await snippets("apples")).toEqual([]);
    // Nothing to search for in it: no results, no error.
    expect(await snippets("!!! -")).toEqual([]);
  });

  it("marks the words found in a long message's snippet, and strips the marks' own characters from the text", async () => {
    const { user, caller, session } = await userWithSession(t.db);
    const filler = Array.from({ length: 80 }, (_, i) => `filler${i}`).join(" ");
    await storeMessages(session.id, user.id, [`${filler} the needle is here ${filler}`, `a \u0002sneaky\u0003 needle`]);
    const { results } = await caller.chat.search({ query: "needle" });
    const snippets = results.map((r) => r.snippet);
    for (const snippet of snippets) {
      // Every start has its end, around the word found, and no other mark.
      expect(snippet.split(SEARCH_MARK.start).length - 1).toBe(1);
      expect(snippet).toContain(`${SEARCH_MARK.start}needle${SEARCH_MARK.end}`);
    }
    expect(shown(snippets[0]!)).toBe("a sneaky [needle]");
    const long = shown(snippets[1]!);
    expect(long).toContain("[needle] is here");
    expect(long.length).toBeLessThan(400);
  });

  it("pages with a cursor: every result once, in order, then null", async () => {
    const { user, caller, session } = await userWithSession(t.db);
    const rows = await storeMessages(session.id, user.id, Array.from({ length: 23 }, (_, i) => `paging word number ${i}`));
    const seen: string[] = [];
    let cursor: string | null | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await caller.chat.search({ query: "paging", limit: 5, cursor });
      seen.push(...result.results.map((r) => r.messageId!));
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    // Equal ranks: newest first.
    expect(seen).toEqual(rows.map((r) => r.id).reverse());
    expect(cursor).toBeNull();
  });

  it("refuses a cursor it did not make", async () => {
    const { caller } = await userWithSession(t.db);
    for (const cursor of ["garbage!", Buffer.from(JSON.stringify(["x", "2026-01-01", "id"])).toString("base64url"), Buffer.from(JSON.stringify([1, "0000-01-01T00:00:00Z", "id"])).toString("base64url")]) {
      const error = await trpcError(caller.chat.search({ query: "x", cursor }));
      expect([error.code, error.message]).toEqual(["BAD_REQUEST", "Invalid cursor"]);
    }
  });

  it("finds a bot's reply and a renamed title at once", async () => {
    const { bot, caller, session } = await userWithSession(t.db);
    await caller.chat.sendMessage({ sessionId: session.id, content: "hello" });
    await storeBotReply(t.db, { sessionId: session.id, bot, content: "The platypus lays eggs." });
    expect(summary((await caller.chat.search({ query: "platypus" })).results)).toEqual([
      { title: session.title, message: true, snippet: "The [platypus] lays eggs." },
    ]);
    await caller.chat.renameSession({ sessionId: session.id, title: "Monotremes" });
    expect((await caller.chat.search({ query: "monotremes" })).results.map((r) => r.sessionTitle)).toEqual(["Monotremes"]);
  });

  it(`ranks only the newest ${SEARCH_CANDIDATES} matching messages, so a common word costs the same however many match`, async () => {
    const user = await createUser(t.db);
    const bot = await createBot(t.db);
    const caller = callerFor(t.db, user);
    const { session } = await caller.chat.createSession({ botId: bot.id, title: "Many" });
    // The best match of all is the oldest, beyond the newest SEARCH_CANDIDATES.
    const oldest = await storeMessages(session.id, user.id, ["common common common common"]);
    await storeMessages(session.id, user.id, Array.from({ length: SEARCH_CANDIDATES }, (_, i) => `common ${i}`), Date.UTC(2026, 1, 1));
    const { results } = await caller.chat.search({ query: "common", limit: 50 });
    expect(results.map((r) => r.messageId)).not.toContain(oldest[0]!.id);
    expect(results).toHaveLength(50);
  });
});

describe("the search statement", () => {
  async function plan(userId: string, query: string): Promise<string> {
    // JSON, so that the names of the indexes used can be read whatever the planner's layout.
    return t.db.$transaction(async (tx) => {
      // Test tables are small enough to read whole; the question is whether the indexes can serve it.
      await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
      const rows = await tx.$queryRaw<{ "QUERY PLAN": unknown }[]>(Prisma.sql`EXPLAIN (FORMAT JSON) ${searchStatement(userId, { query, limit: 20 }, null)}`);
      return JSON.stringify(rows[0]!["QUERY PLAN"]);
    });
  }

  it("can be served by the indexes alone (GIN for a rare word), bounded by LIMIT", async () => {
    const { user, session } = await userWithSession(t.db);
    await storeMessages(session.id, user.id, Array.from({ length: 300 }, (_, i) => `plan probe ${i}`));
    await t.db.$executeRawUnsafe(`ANALYZE "Message"`);
    await t.db.$executeRawUnsafe(`ANALYZE "ChatSession"`);
    // A word no message has: the GIN index finds none at once. (Which way the planner takes for a
    // word most messages have, the newest-first walk, shows only at scale: README "Search".)
    const rare = await plan(user.id, "unheardofword");
    expect(rare).toContain('"Index Name":"Message_search_idx"');
    expect(rare).toMatch(/"Index Name":"ChatSession_(search_idx|userId_lastActiveAt_id_idx)"/);
    expect(rare).toContain('"Node Type":"Limit"');
    expect(rare).not.toContain('"Node Type":"Seq Scan"');
  });

  it("is planned for its words on every call, never kept as one prepared plan for any words", async () => {
    // PostgreSQL plans a prepared statement once for all values after its fifth run: for a word in
    // most of a heavy user's messages that plan read them all (0.9–2 s at the reference data).
    const { user, caller, session } = await userWithSession(t.db);
    await storeMessages(session.id, user.id, ["a common word", "another common word", "a rare one"]);
    for (const query of ["common", "rare", "word", "common", "another", "common", "rare", "word"]) await caller.chat.search({ query });
    // Then a statement the app does prepare, so that the connection read below is one the app used.
    await caller.chat.listSessions({});
    const prepared = (await t.db.$queryRaw<{ statement: string }[]>`SELECT statement FROM pg_prepared_statements`).map((p) => p.statement);
    if (t.kind === "postgres") expect(prepared.some((text) => text.includes('"ChatSessionTally"'))).toBe(true);
    expect(prepared.filter((text) => text.trimStart().startsWith("WITH hits"))).toEqual([]);
  });
});
