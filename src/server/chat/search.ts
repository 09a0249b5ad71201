import type { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import { Id, SEARCH_MARK, type SearchInput, type SearchOutput } from "@/shared";
import { queryRows, type Db } from "../db";
import { badRequest } from "../errors";
import { toBotSummary, type BotRow } from "./dto";

/**
 * How many of the caller's newest matches (of messages, and of titles) are ranked. Ranking reads
 * every match it ranks, so a word found in most of a user's 500,000 messages would cost the same
 * 500,000 reads at every keystroke; taking the newest matches first bounds that work, whatever the
 * number of messages, and the planner picks the cheaper way to find them (below).
 */
export const SEARCH_CANDIDATES = 500;

/** ts_headline's options: the matching text (about 10 to 24 words around the best match), the words found marked. */
const HEADLINE_OPTIONS = `StartSel=${SEARCH_MARK.start}, StopSel=${SEARCH_MARK.end}, MaxWords=24, MinWords=10, ShortWord=0`;

type Cursor = { rank: number; createdAt: Date; key: string };

function encodeCursor(row: Cursor): string {
  return Buffer.from(JSON.stringify([row.rank, row.createdAt.toISOString(), row.key])).toString("base64url");
}

function decodeCursor(cursor: string): Cursor {
  try {
    const [rank, at, key] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, unknown, unknown];
    if (typeof rank !== "number" || !Number.isFinite(rank)) throw new Error();
    const createdAt = new Date(String(at));
    // Years 1..9999 only: the pg adapter writes other years in forms PostgreSQL refuses (a 500).
    const year = createdAt.getUTCFullYear();
    if (Number.isNaN(year) || year < 1 || year > 9999) throw new Error();
    return { rank, createdAt, key: Id.parse(key) };
  } catch {
    throw badRequest("Invalid cursor");
  }
}

/**
 * The search as one statement (exported so a test and the bench can EXPLAIN exactly it).
 *
 * Candidates: the caller's messages matching the query, newest first, at most SEARCH_CANDIDATES,
 * and the same for session titles. For a rare word the planner reads the GIN index
 * (Message_search_idx), which holds only the rows that have it; for a word in most of the caller's
 * messages it walks Message_userId_createdAt_idx instead, newest first, and stops at the limit.
 * Either way the rows read are bounded, and no other user's row is ever read.
 *
 * The candidates are ranked (ts_rank, lightly normalised by length; a title counts as weight A,
 * ten times a message's words), ordered by rank, then newest, then id, and paged by a keyset on
 * those three. Snippets (ts_headline, which parses the text again) are made for the page only.
 */
export function searchStatement(userId: string, input: Pick<z.output<typeof SearchInput>, "query" | "limit">, after: Cursor | null): Prisma.Sql {
  const query = Prisma.sql`websearch_to_tsquery('simple', ${input.query})`;
  const keyset = after
    ? Prisma.sql`WHERE (rank, "createdAt", key) < (${after.rank}::float8, ${after.createdAt}::timestamp, ${after.key})`
    : Prisma.empty;
  return Prisma.sql`
    WITH hits AS MATERIALIZED (
      SELECT m.id AS key, m.id AS "messageId", m."sessionId", m."createdAt", ts_rank(m.search, ${query}, 1)::float8 AS rank
      FROM (
        SELECT id, "sessionId", "createdAt", search FROM "Message"
        WHERE "userId" = ${userId} AND search @@ ${query}
        ORDER BY "createdAt" DESC LIMIT ${SEARCH_CANDIDATES}
      ) m
      UNION ALL
      SELECT s.id, NULL, s.id, s."createdAt", ts_rank(setweight(s.search, 'A'), ${query}, 1)::float8
      FROM (
        SELECT id, "createdAt", search FROM "ChatSession"
        WHERE "userId" = ${userId} AND search @@ ${query}
        ORDER BY "lastActiveAt" DESC LIMIT ${SEARCH_CANDIDATES}
      ) s
    ),
    page AS (
      SELECT * FROM hits ${keyset}
      ORDER BY rank DESC, "createdAt" DESC, key DESC
      LIMIT ${input.limit + 1}
    )
    SELECT page.key, page."messageId", page."sessionId", page."createdAt", page.rank,
      s.title AS "sessionTitle", s."botId", b.name AS "bot_name", b."displayName" AS "bot_displayName",
      b.avatar AS "bot_avatar", b.status AS "bot_status",
      -- The marks are control characters the text itself may hold too: those go first.
      ts_headline('simple', translate(COALESCE(m.content, s.title), ${SEARCH_MARK.start + SEARCH_MARK.end}, ''), ${query}, ${HEADLINE_OPTIONS}) AS snippet
    FROM page
    JOIN "ChatSession" s ON s.id = page."sessionId"
    LEFT JOIN "Message" m ON m.id = page."messageId"
    LEFT JOIN "Bot" b ON b.id = s."botId"
    ORDER BY page.rank DESC, page."createdAt" DESC, page.key DESC`;
}

type SearchRow = {
  key: string; messageId: string | null; sessionId: string; createdAt: Date; rank: number; sessionTitle: string;
  botId: string | null; bot_name: string | null; bot_displayName: string | null; bot_avatar: string | null;
  bot_status: BotRow["status"] | null; snippet: string;
};

/** chat.search: the caller's titles and messages that match, best first (see searchStatement). */
export async function search(db: Db, userId: string, input: z.output<typeof SearchInput>): Promise<SearchOutput> {
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  // Planned for its words each time (see queryRows): the best plan for a common word and for a rare
  // one differ by a hundred times.
  const rows = await queryRows<SearchRow>(db, searchStatement(userId, input, after), { planEachTime: true });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    results: page.map((row) => ({
      sessionId: row.sessionId,
      sessionTitle: row.sessionTitle,
      bot:
        row.botId && row.bot_name
          ? toBotSummary({ id: row.botId, name: row.bot_name, displayName: row.bot_displayName!, avatar: row.bot_avatar, status: row.bot_status! })
          : null,
      messageId: row.messageId,
      snippet: row.snippet,
      rank: Number(row.rank),
      createdAt: row.createdAt,
    })),
    nextCursor: rows.length > input.limit && last ? encodeCursor({ rank: Number(last.rank), createdAt: last.createdAt, key: last.key }) : null,
  };
}
