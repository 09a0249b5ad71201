import type { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import type { ListBotsInput, ListBotsOutput } from "@/shared";
import type { Db } from "../db";
import { notFound, permissionDenied, preconditionFailed } from "../errors";
import { toBot } from "./dto";

/**
 * Who may use a bot: nobody when it is disabled; anyone when it is public; otherwise its owner and
 * the users holding a grant ('use' or 'manage').
 */
export function usableBy(userId: string): Prisma.BotWhereInput {
  return {
    status: { not: "disabled" },
    OR: [{ visibility: "public" }, { ownerId: userId }, { access: { some: { userId } } }],
  };
}

/**
 * Prisma's `contains` becomes ILIKE without escaping the pattern (prisma/orm#19506), so `%`, `_` and
 * backslash in a user's query would act as wildcards; escaped, the query matches as literal text.
 */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

export async function listBots(db: Db, userId: string, input: z.output<typeof ListBotsInput>): Promise<ListBotsOutput> {
  const query = input.query ? likeLiteral(input.query) : undefined;
  const bots = await db.bot.findMany({
    where: {
      AND: [
        usableBy(userId),
        query
          ? { OR: [{ name: { contains: query, mode: "insensitive" } }, { displayName: { contains: query, mode: "insensitive" } }] }
          : {},
      ],
    },
    // The enum's order is online, offline, disabled: online bots come first.
    orderBy: [{ status: "asc" }, { displayName: "asc" }, { id: "asc" }],
  });
  return { bots: bots.map(toBot) };
}

/** The bot, if this user may start a chat with it; otherwise the error the contract names. */
export async function botForNewSession(db: Db, userId: string, botId: string) {
  const bot = await db.bot.findUnique({
    where: { id: botId },
    include: { access: { where: { userId }, select: { role: true } } },
  });
  if (!bot) throw notFound("Bot");
  const allowed =
    bot.status !== "disabled" && (bot.visibility === "public" || bot.ownerId === userId || bot.access.length > 0);
  if (!allowed) throw permissionDenied();
  if (!bot.agentId) throw preconditionFailed("Bot has no agent bound");
  return bot;
}
