import { ListBotsInput, ListBotsOutput } from "@/shared";
import { listBots } from "@/server/chat/bots";
import { createTRPCRouter, outputOf, protectedProcedure } from "../trpc";

export const botRouter = createTRPCRouter({
  list: protectedProcedure
    .input(ListBotsInput)
    .output(outputOf(ListBotsOutput))
    .query(({ ctx, input }) => listBots(ctx.db, ctx.user.id, input)),
});
