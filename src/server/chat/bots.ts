import type { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import type { ListBotsInput, ListBotsOutput } from "@/shared";
import type { Db } from "../db";
import { notFound, permissionDenied, preconditionFailed } from "../errors";
import { toBot, type BotRow } from "./dto";

/**
 * Who may use a bot, as SQL over a "Bot" row aliased `b`: anyone when it is public; otherwise its
 * owner and the users holding a grant ('use' or 'manage'). Listing, starting a chat, sending and the
 * thread's composer all ask this one expression, so they cannot disagree.
 */
export function botAccess(userId: string): Prisma.Sql {
  // ownerId IS NOT NULL keeps the answer true or false, never NULL, for a bot without an owner.
  return Prisma.sql`(b.visibility = 'public' OR (b."ownerId" IS NOT NULL AND b."ownerId" = ${userId})
    OR EXISTS (SELECT 1 FROM "BotAccess" a WHERE a."botId" = b.id AND a."userId" = ${userId}))`;
}

/**
 * Listing a bot and starting a chat with it also need it enabled. An existing chat with a disabled
 * bot still takes messages (API.md: the reply fails with a reason until the bot is back).
 */
function botUsable(userId: string): Prisma.Sql {
  return Prisma.sql`(b.status <> 'disabled' AND ${botAccess(userId)})`;
}

/** Whether the session aliased `session` may take a message from this user: no bot, or one they may use. */
export function sessionBotAccess(userId: string, session: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(${session}."botId" IS NULL OR EXISTS (SELECT 1 FROM "Bot" b WHERE b.id = ${session}."botId" AND ${botAccess(userId)}))`;
}

export const BOT_COLUMNS = Prisma.sql`b.id, b.name, b."displayName", b.avatar, b.status, b.description, b.visibility, b."createdAt"`;

/**
 * ILIKE with the pattern escaped (backslash is its default escape), so `%`, `_` and backslash in a
 * user's query match as literal text instead of acting as wildcards.
 */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, "\\$&")}%`;
}

export async function listBots(db: Db, userId: string, input: z.output<typeof ListBotsInput>): Promise<ListBotsOutput> {
  const match = input.query
    ? Prisma.sql`AND (b.name ILIKE ${containsPattern(input.query)} OR b."displayName" ILIKE ${containsPattern(input.query)})`
    : Prisma.empty;
  // The enum's order is online, offline, disabled: online bots come first.
  const bots = await db.$queryRaw<BotRow[]>`
    SELECT ${BOT_COLUMNS} FROM "Bot" b
    WHERE ${botUsable(userId)} ${match}
    ORDER BY b.status, b."displayName", b.id`;
  return { bots: bots.map(toBot) };
}

/** The bot, if this user may start a chat with it; otherwise the error the contract names. */
export async function botForNewSession(db: Db, userId: string, botId: string) {
  const [bot] = await db.$queryRaw<(BotRow & { agentId: string | null; usable: boolean })[]>`
    SELECT ${BOT_COLUMNS}, b."agentId", ${botUsable(userId)} AS usable FROM "Bot" b WHERE b.id = ${botId}`;
  if (!bot) throw notFound("Bot");
  if (!bot.usable) throw permissionDenied();
  if (!bot.agentId) throw preconditionFailed("Bot has no agent bound");
  return bot;
}
