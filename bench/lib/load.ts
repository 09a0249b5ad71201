/**
 * The reference data of BUDGETS.md, loaded with set-based SQL (generate_series, INSERT … SELECT):
 * 100 users; one of them with 10,000 sessions; 1,000,000 messages in all, one session holding
 * 100,000. `scale` multiplies the row counts (sessions and messages; always 100 users).
 *
 * Invariants the app relies on hold for every loaded session: seq is 1..N, messageCount = N,
 * unreadCount = the session's delivered bot messages, the lastMessage* preview columns describe
 * the message with seq N, lastActiveAt is that message's time. The loader checks them at the end.
 *
 * All ids start with "bench-" so the data can sit beside the embedded default's demo seed.
 */
import pg from "pg";

export type ReferenceData = {
  scale: number;
  email: string;
  password: string;
  userId: string;
  userName: string;
  /** The session holding the most messages (100,000 at scale 1), the signed-in user's. */
  bigSessionId: string;
  /** `before` for a page from the middle of it: the message with seq N/2 + 1. */
  middleBeforeId: string;
  /** 16 active sessions of the signed-in user (not the big one) that sends go to. */
  sendSessionIds: string[];
  /** 16 other users, each with an active session: sends as 16 people send, one each. */
  senders: { email: string; sessionId: string }[];
  counts: { users: number; sessions: number; userSessions: number; messages: number; bigSession: number };
  loadMs: number;
};

export const BENCH_PASSWORD = "bench-password-1";
const USERS = 100;
const BOTS = 10;

const LOREM =
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. " +
  "Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor " +
  "in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, " +
  "sunt in culpa qui officia deserunt mollit anim id est laborum.";

const sessionId = (k: number) => `bench-s${String(k).padStart(7, "0")}`;

export function referenceCounts(scale: number) {
  const userSessions = Math.max(1, Math.round(10_000 * scale));
  const perOtherUser = Math.max(1, Math.round(100 * scale));
  const sessions = userSessions + (USERS - 1) * perOtherUser;
  const bigSession = Math.max(200, Math.round(100_000 * scale));
  const messages = Math.max(bigSession + sessions, Math.round(1_000_000 * scale));
  return { users: USERS, sessions, userSessions, perOtherUser, messages, bigSession };
}

export async function loadReferenceData(
  url: string,
  options: { scale: number; passwordHash: string; log?: (line: string) => void },
): Promise<ReferenceData> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const c = referenceCounts(options.scale);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET synchronous_commit = off");
    const base = new Date(Date.now() - 60_000).toISOString().replace("T", " ").replace("Z", "");

    await client.query(
      `INSERT INTO "User" (id, email, name, "passwordHash", "createdAt", "updatedAt")
       SELECT 'bench-u' || lpad(i::text, 3, '0'), 'bench-user-' || i || '@example.com', 'Bench User ' || i, $1,
              $2::timestamp - interval '400 days', $2::timestamp - interval '400 days'
       FROM generate_series(1, ${USERS}) AS i`,
      [options.passwordHash, base],
    );
    await client.query(
      `INSERT INTO "Agent" (id, name, kind, "createdAt", "updatedAt") VALUES ('bench-agent', 'Bench agent', 'demo', $1, $1)`,
      [base],
    );
    await client.query(
      `INSERT INTO "Bot" (id, name, "displayName", avatar, description, status, visibility, "agentId", "createdAt", "updatedAt")
       SELECT 'bench-b' || lpad(i::text, 2, '0'), 'bench-bot-' || i, 'Bench Bot ' || i, '/avatars/demo.svg',
              'A bot of the benchmark', 'online', 'public', 'bench-agent', $1::timestamp - interval '400 days', $1
       FROM generate_series(1, ${BOTS}) AS i`,
      [base],
    );

    // Sessions 1..userSessions belong to user 1 (session 1 is the big one); the rest are spread
    // over users 2..100. The other sessions share the remaining messages evenly.
    const others = c.sessions - 1;
    const rest = c.messages - c.bigSession;
    await client.query(
      `WITH spec AS (
         SELECT k, CASE WHEN k <= $1::int THEN 1 ELSE 2 + (k - $1::int - 1) / $2::int END AS u,
                CASE WHEN k = 1 THEN $3::int
                     ELSE $4::int / $5::int + CASE WHEN k - 1 <= $4::int % $5::int THEN 1 ELSE 0 END END AS n
         FROM generate_series(1, $6::int) AS k
       )
       INSERT INTO "ChatSession" (id, "userId", "botId", "primaryAgentId", title, status, "messageCount", "unreadCount",
                                  "lastActiveAt", "createdAt", "updatedAt", "closedAt")
       SELECT 'bench-s' || lpad(k::text, 7, '0'), 'bench-u' || lpad(u::text, 3, '0'),
              'bench-b' || lpad((1 + k % ${BOTS})::text, 2, '0'), 'bench-agent', 'Bench chat ' || k,
              (CASE WHEN k % 10 = 7 THEN 'closed' ELSE 'active' END)::"SessionStatus",
              n, CASE WHEN k % 4 = 0 AND n >= 2 THEN 1 ELSE 0 END,
              $7::timestamp - k * interval '1 minute',
              $7::timestamp - k * interval '1 minute' - n * interval '30 seconds' - interval '1 minute',
              $7::timestamp - k * interval '1 minute',
              CASE WHEN k % 10 = 7 THEN $7::timestamp - k * interval '1 minute' END
       FROM spec`,
      [c.userSessions, c.perOtherUser, c.bigSession, rest, others, c.sessions, base],
    );

    // Messages, a batch of about 100,000 at a time: user and bot turns alternate; user messages
    // are delivered, bot replies read except the last one of every session with an unread count.
    const perBatch = Math.max(1, Math.floor(100_000 / Math.max(1, rest / Math.max(1, others))));
    const ranges: [number, number][] = [[1, 1]];
    for (let k = 2; k <= c.sessions; k += perBatch) ranges.push([k, Math.min(c.sessions, k + perBatch - 1)]);
    let inserted = 0;
    for (const [from, to] of ranges) {
      const { rowCount } = await client.query(
        `INSERT INTO "Message" (id, "sessionId", "userId", seq, "senderType", "senderId", "senderName", "botId", content, "contentType",
                                status, "ackStatus", "createdAt", "updatedAt")
         SELECT 'bench-m' || substr(md5(s.id || '/' || g), 1, 20), s.id, s."userId", g,
                (CASE WHEN g % 2 = 1 THEN 'user' ELSE 'bot' END)::"SenderType",
                CASE WHEN g % 2 = 1 THEN s."userId" ELSE s."botId" END,
                CASE WHEN g % 2 = 1 THEN u.name ELSE b."displayName" END,
                s."botId",
                CASE WHEN g % 2 = 1 THEN 'Message ' || g || ': ' || left($3, 20 + (g * 7) % 160)
                     ELSE 'Reply ' || g || ' from **' || b."displayName" || '**: ' || left($3, 40 + (g * 13) % 300) END,
                'markdown',
                (CASE WHEN g % 2 = 1 THEN 'delivered'
                      WHEN s."unreadCount" > 0 AND g = s."messageCount" - s."messageCount" % 2 THEN 'delivered'
                      ELSE 'read' END)::"MessageStatus",
                'acked',
                s."lastActiveAt" - (s."messageCount" - g) * interval '30 seconds',
                s."lastActiveAt" - (s."messageCount" - g) * interval '30 seconds'
         FROM "ChatSession" s
         JOIN "User" u ON u.id = s."userId"
         JOIN "Bot" b ON b.id = s."botId"
         CROSS JOIN LATERAL generate_series(1, s."messageCount") AS g
         WHERE s.id BETWEEN $1 AND $2`,
        [sessionId(from), sessionId(to), LOREM],
      );
      inserted += rowCount ?? 0;
      log(`  messages ${inserted.toLocaleString("en")} / ${c.messages.toLocaleString("en")}`);
    }

    await client.query(
      `UPDATE "ChatSession" s SET "lastMessageId" = m.id, "lastMessageContent" = left(m.content, 100),
              "lastMessageSenderType" = m."senderType", "lastMessageAt" = m."createdAt"
       FROM "Message" m
       WHERE m."sessionId" = s.id AND m.seq = s."messageCount" AND s.id LIKE 'bench-s%'`,
    );
    log("  vacuum analyze");
    await client.query(`VACUUM ANALYZE "User", "Bot", "Agent", "ChatSession", "Message"`);

    // The invariants, checked on what was stored.
    const { rows: bad } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n
       FROM "ChatSession" s
       LEFT JOIN (SELECT "sessionId", count(*) AS c, max(seq) AS mx,
                         count(*) FILTER (WHERE "senderType" = 'bot' AND status = 'delivered') AS unread,
                         max("createdAt") AS last
                  FROM "Message" WHERE id LIKE 'bench-m%' GROUP BY "sessionId") m ON m."sessionId" = s.id
       LEFT JOIN "Message" lm ON lm.id = s."lastMessageId"
       WHERE s.id LIKE 'bench-s%'
         AND (coalesce(m.c, 0) <> s."messageCount" OR coalesce(m.mx, 0) <> s."messageCount"
              OR coalesce(m.unread, 0) <> s."unreadCount"
              OR (s."messageCount" > 0 AND (lm.seq IS DISTINCT FROM s."messageCount" OR s."lastActiveAt" <> m.last
                                            OR s."lastMessageAt" <> m.last OR s."lastMessageContent" <> left(lm.content, 100))))`,
    );
    if (bad[0]!.n !== 0) throw new Error(`reference data: ${bad[0]!.n} sessions break the counter invariants`);
    if (inserted !== c.messages) throw new Error(`reference data: ${inserted} messages stored, ${c.messages} expected`);

    const middleSeq = Math.floor(c.bigSession / 2) + 1;
    const { rows: middle } = await client.query<{ id: string }>(
      `SELECT id FROM "Message" WHERE "sessionId" = $1 AND seq = $2`,
      [sessionId(1), middleSeq],
    );
    const { rows: send } = await client.query<{ id: string }>(
      `SELECT id FROM "ChatSession" WHERE "userId" = 'bench-u001' AND status = 'active' AND id <> $1
       ORDER BY "lastActiveAt" DESC, id DESC LIMIT 16`,
      [sessionId(1)],
    );
    const { rows: senders } = await client.query<{ userId: string; id: string }>(
      `SELECT DISTINCT ON (s."userId") s."userId", s.id FROM "ChatSession" s
       WHERE s."userId" <> 'bench-u001' AND s."userId" LIKE 'bench-u%' AND s.status = 'active'
       ORDER BY s."userId", s."lastActiveAt" DESC, s.id DESC LIMIT 16`,
    );
    return {
      scale: options.scale,
      email: "bench-user-1@example.com",
      password: BENCH_PASSWORD,
      userId: "bench-u001",
      userName: "Bench User 1",
      bigSessionId: sessionId(1),
      middleBeforeId: middle[0]!.id,
      sendSessionIds: send.map((r) => r.id),
      senders: senders.map((r) => ({ email: `bench-user-${Number(r.userId.slice("bench-u".length))}@example.com`, sessionId: r.id })),
      counts: { users: c.users, sessions: c.sessions, userSessions: c.userSessions, messages: c.messages, bigSession: c.bigSession },
      loadMs: performance.now() - started,
    };
  } finally {
    await client.end();
  }
}
