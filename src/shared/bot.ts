import { z } from "./zod";
import { BotStatus, BotVisibility } from "./enums";
import { LIMITS } from "./limits";
import { SafeString } from "./text";

export const Id = SafeString.trim().min(1).max(LIMITS.id);

export const BotSummary = z.object({
  id: z.string(),
  name: z.string(),
  displayName: z.string(),
  avatar: z.string().nullable(),
  status: BotStatus,
});
export type BotSummary = z.infer<typeof BotSummary>;

export const Bot = BotSummary.extend({
  description: z.string().nullable(),
  visibility: BotVisibility,
  createdAt: z.date(),
});
export type Bot = z.infer<typeof Bot>;

export const ListBotsInput = z
  .strictObject({ query: SafeString.trim().max(LIMITS.botQuery).optional() })
  .optional()
  .default({});
export type ListBotsInput = z.input<typeof ListBotsInput>;

export const ListBotsOutput = z.object({ bots: z.array(Bot) });
export type ListBotsOutput = z.infer<typeof ListBotsOutput>;
