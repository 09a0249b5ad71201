import type { Db } from "./db";
import { hashPassword } from "./auth/password";
import type { Prisma } from "@/generated/prisma/client";
import { DEMO_PASSWORD, DEMO_USERS } from "./demo-users";

/** The demo data: what a newcomer sees on first start and what end-to-end suites sign in as. */
export { DEMO_PASSWORD, DEMO_USERS };

export const LONG_THREAD_TITLE = "The long thread";
export const LONG_THREAD_MESSAGES = 2000;
export const ALICE_EXTRA_SESSIONS = 60;

const BOTS = [
  { name: "demo", displayName: "Demo Bot", description: "Answers instantly. Try /help, /markdown, /slow or /fail.", status: "online", visibility: "public", agent: true },
  { name: "pit-guide", displayName: "Pit Guide", description: "Shows you around Pit Chat.", status: "online", visibility: "public", agent: true },
  { name: "night-owl", displayName: "Night Owl", description: "Offline for now: messages to it fail until it is back.", status: "offline", visibility: "public", agent: true },
  { name: "secret-agent", displayName: "Secret Agent", description: "A private bot, shared with Alice only.", status: "online", visibility: "private", agent: true },
  { name: "unbound", displayName: "Unbound Bot", description: "Has no agent bound yet.", status: "online", visibility: "public", agent: false },
  { name: "retired", displayName: "Retired Bot", description: "Disabled by an operator.", status: "disabled", visibility: "public", agent: true },
] as const;

export async function seedIfEmpty(db: Db): Promise<boolean> {
  if ((await db.user.count()) > 0) return false;
  await seed(db);
  return true;
}

export async function seed(db: Db): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const create = (u: { email: string; name: string }) => db.user.create({ data: { email: u.email, name: u.name, passwordHash } });
  const users = {
    alice: await create(DEMO_USERS.alice),
    bob: await create(DEMO_USERS.bob),
    carol: await create(DEMO_USERS.carol),
  };

  const agent = await db.agent.create({ data: { name: "Demo agent", kind: "demo" } });
  const bots: Record<string, { id: string; displayName: string }> = {};
  for (const [i, bot] of BOTS.entries()) {
    bots[bot.name] = await db.bot.create({
      data: {
        name: bot.name,
        displayName: bot.displayName,
        description: bot.description,
        status: bot.status,
        visibility: bot.visibility,
        avatar: `/avatars/${bot.name}.svg`,
        agentId: bot.agent ? agent.id : null,
        // Distinct creation times keep listing orders stable.
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      },
    });
  }
  await db.botAccess.create({ data: { userId: users.alice.id, botId: bots["secret-agent"]!.id, role: "use" } });

  const now = Date.now();
  const minutesAgo = (m: number) => new Date(now - m * 60_000);

  // Alice: the long thread, a few conversations with unread replies, and many older sessions.
  await createThread(db, {
    userId: users.alice.id, userName: "Alice", bot: bots.demo!, agentId: agent.id, title: LONG_THREAD_TITLE,
    count: LONG_THREAD_MESSAGES, unread: 0, endedAt: minutesAgo(1),
  });
  await createThread(db, {
    userId: users.alice.id, userName: "Alice", bot: bots["pit-guide"]!, agentId: agent.id, title: "Welcome to Pit Chat",
    count: 6, unread: 2, endedAt: minutesAgo(5),
  });
  await createThread(db, {
    userId: users.alice.id, userName: "Alice", bot: bots["secret-agent"]!, agentId: agent.id, title: "Top secret plans",
    count: 4, unread: 1, endedAt: minutesAgo(30),
  });
  for (let i = 0; i < ALICE_EXTRA_SESSIONS; i++) {
    const bot = i % 3 === 0 ? bots["pit-guide"]! : bots.demo!;
    await createThread(db, {
      userId: users.alice.id, userName: "Alice", bot, agentId: agent.id, title: `Archived chat ${i + 1}`,
      count: 2, unread: 0, endedAt: minutesAgo(60 * (i + 1)), closed: i % 4 === 3,
    });
  }
  // Bob: one conversation, the "someone else's session" of the tests.
  await createThread(db, {
    userId: users.bob.id, userName: "Bob", bot: bots.demo!, agentId: agent.id, title: "Bob's private notes",
    count: 4, unread: 1, endedAt: minutesAgo(10),
  });
  // Carol starts with nothing: the empty states.
}

type ThreadSpec = {
  userId: string; userName: string; bot: { id: string; displayName: string }; agentId: string;
  title: string; count: number; unread: number; endedAt: Date; closed?: boolean;
};

/** A session whose counters agree with its rows: user and bot turns alternate, the last `unread` bot replies unread. */
async function createThread(db: Db, spec: ThreadSpec): Promise<void> {
  const start = spec.endedAt.getTime() - spec.count * 30_000;
  const session = await db.chatSession.create({
    data: {
      userId: spec.userId, botId: spec.bot.id, primaryAgentId: spec.agentId, title: spec.title,
      status: spec.closed ? "closed" : "active", closedAt: spec.closed ? spec.endedAt : null,
      createdAt: new Date(start), lastActiveAt: spec.endedAt,
    },
  });
  const botSeqs = Array.from({ length: spec.count }, (_, i) => i + 1).filter((seq) => seq % 2 === 0);
  const unreadSeqs = new Set(botSeqs.slice(botSeqs.length - spec.unread));
  const rows: Prisma.MessageCreateManyInput[] = Array.from({ length: spec.count }, (_, i) => {
    const seq = i + 1;
    const fromUser = seq % 2 === 1;
    return {
      sessionId: session.id,
      userId: spec.userId,
      seq,
      senderType: fromUser ? "user" : "bot",
      senderId: fromUser ? spec.userId : spec.bot.id,
      senderName: fromUser ? spec.userName : spec.bot.displayName,
      botId: spec.bot.id,
      content: fromUser ? `Message ${seq} from ${spec.userName}` : `Reply ${seq} from **${spec.bot.displayName}**`,
      status: fromUser ? "delivered" : unreadSeqs.has(seq) ? "delivered" : "read",
      ackStatus: "acked",
      createdAt: new Date(i === spec.count - 1 ? spec.endedAt.getTime() : start + i * 30_000),
    };
  });
  for (let i = 0; i < rows.length; i += 1000) {
    await db.message.createMany({ data: rows.slice(i, i + 1000) });
  }
  const last = await db.message.findUniqueOrThrow({ where: { sessionId_seq: { sessionId: session.id, seq: spec.count } } });
  await db.chatSession.update({
    where: { id: session.id },
    data: {
      messageCount: spec.count, unreadCount: spec.unread, lastMessageId: last.id,
      lastMessageContent: last.content.slice(0, 100), lastMessageSenderType: last.senderType,
      lastMessageAt: last.createdAt, updatedAt: spec.endedAt,
    },
  });
}
