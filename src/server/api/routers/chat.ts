import {
  CloseSessionInput, CloseSessionOutput, CreateSessionInput, CreateSessionOutput, GetSessionInput,
  GetSessionOutput, ListMessagesInput, ListMessagesOutput, ListSessionsInput, ListSessionsOutput,
  MarkReadInput, MarkReadOutput, SendMessageInput, SendMessageOutput,
} from "@/shared";
import { listMessages, sendMessage } from "@/server/chat/messages";
import { closeSession, createSession, getSession, listSessions, markRead } from "@/server/chat/sessions";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const chatRouter = createTRPCRouter({
  listSessions: protectedProcedure
    .input(ListSessionsInput)
    .output(ListSessionsOutput)
    .query(({ ctx, input }) => listSessions(ctx.db, ctx.user.id, input)),

  createSession: protectedProcedure
    .input(CreateSessionInput)
    .output(CreateSessionOutput)
    .mutation(({ ctx, input }) => createSession(ctx.db, ctx.user.id, input)),

  getSession: protectedProcedure
    .input(GetSessionInput)
    .output(GetSessionOutput)
    .query(({ ctx, input }) => getSession(ctx.db, ctx.user.id, input.sessionId)),

  listMessages: protectedProcedure
    .input(ListMessagesInput)
    .output(ListMessagesOutput)
    .query(({ ctx, input }) => listMessages(ctx.db, ctx.user.id, input)),

  sendMessage: protectedProcedure
    .input(SendMessageInput)
    .output(SendMessageOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.rateLimits.consume("send", `user:${ctx.user.id}`);
      await ctx.rateLimits.consume("send", `ip:${ctx.clientIp}`);
      return sendMessage(ctx.db, { id: ctx.user.id, name: ctx.user.name ?? ctx.user.email.split("@")[0]! }, input);
    }),

  markRead: protectedProcedure
    .input(MarkReadInput)
    .output(MarkReadOutput)
    .mutation(({ ctx, input }) => markRead(ctx.db, ctx.user.id, input.sessionId)),

  closeSession: protectedProcedure
    .input(CloseSessionInput)
    .output(CloseSessionOutput)
    .mutation(({ ctx, input }) => closeSession(ctx.db, ctx.user.id, input.sessionId)),
});
