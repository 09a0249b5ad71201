/** Test fixtures: users, bots and typed callers on a real database. */
import { randomBytes } from "node:crypto";
import { createCaller } from "@/server/api/root";
import type { SessionUser } from "@/server/auth/session";
import type { Db } from "@/server/db";
import { noRateLimits, type RateLimits } from "@/server/rate-limit";
import type { EventBus } from "@/server/events/bus";
import { chatDepsFor } from "./db";

const unique = () => randomBytes(4).toString("hex");

// A fixed, cheap hash: fixtures never sign in through the password path.
const FIXTURE_PASSWORD_HASH = "$argon2id$v=19$m=19456,t=2,p=1$fixture$fixture";

export async function createUser(db: Db, name = "Tess"): Promise<SessionUser> {
  const user = await db.user.create({
    data: { email: `${name.toLowerCase()}-${unique()}@example.com`, name, passwordHash: FIXTURE_PASSWORD_HASH },
  });
  return { id: user.id, email: user.email, name: user.name };
}

export async function createAgent(db: Db) {
  return db.agent.create({ data: { name: `agent-${unique()}`, kind: "demo" } });
}

type BotOptions = {
  status?: "online" | "offline" | "disabled";
  visibility?: "public" | "private";
  ownerId?: string;
  agent?: boolean;
  displayName?: string;
  name?: string;
};

export async function createBot(db: Db, options: BotOptions = {}) {
  const agent = options.agent === false ? null : await createAgent(db);
  const name = options.name ?? `bot-${unique()}`;
  return db.bot.create({
    data: {
      name,
      displayName: options.displayName ?? `Bot ${name}`,
      status: options.status ?? "online",
      visibility: options.visibility ?? "public",
      ownerId: options.ownerId ?? null,
      agentId: agent?.id ?? null,
    },
  });
}

export function callerFor(db: Db, user: SessionUser | null, rateLimits: RateLimits = noRateLimits) {
  const chat = chatDepsFor(db);
  return createCaller({ db, chat, bus: chat.events as EventBus, user, clientIp: "127.0.0.1", rateLimits });
}

/** A user with a session on a fresh public bot: the usual starting point. */
export async function userWithSession(db: Db, name = "Tess") {
  const user = await createUser(db, name);
  const bot = await createBot(db);
  const caller = callerFor(db, user);
  const { session } = await caller.chat.createSession({ botId: bot.id });
  return { user, bot, caller, session };
}
