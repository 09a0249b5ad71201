import { RegisterInput, RegisterOutput } from "@/shared";
import { registerUser } from "@/server/auth/users";
import { createTRPCRouter, outputOf, publicProcedure } from "../trpc";

export const authRouter = createTRPCRouter({
  register: publicProcedure
    .input(RegisterInput)
    .output(outputOf(RegisterOutput))
    .mutation(async ({ ctx, input }) => {
      await ctx.rateLimits.consume("register", `ip:${ctx.clientIp}`);
      return registerUser(ctx.db, input);
    }),
});
