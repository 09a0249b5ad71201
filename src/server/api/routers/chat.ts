import {
  CloseSessionInput, CloseSessionOutput, CreateSessionInput, CreateSessionOutput, DeleteSessionInput, DeleteSessionOutput,
  GetSessionInput, GetSessionOutput, ListMessagesInput, ListMessagesOutput, ListSessionsInput, ListSessionsOutput,
  MarkReadInput, MarkReadOutput, OnEventInput, RegenerateInput, RegenerateOutput, RenameSessionInput, RenameSessionOutput,
  RetryMessageInput, RetryMessageOutput, SearchInput, SearchOutput, SendMessageInput, SendMessageOutput,
  StopReplyInput, StopReplyOutput,
} from "@/shared";
import { listMessages, regenerate, retryMessage, sendMessage } from "@/server/chat/messages";
import { stopReply } from "@/server/chat/replies";
import { search } from "@/server/chat/search";
import { notFound } from "@/server/errors";
import { userEvents } from "@/server/events/subscription";
import { isShuttingDown } from "@/server/services";
import { TRPCError } from "@trpc/server";
import { closeSession, createSession, deleteSession, getSession, listSessions, markRead, renameSession } from "@/server/chat/sessions";
import { createTRPCRouter, outputOf, protectedProcedure } from "../trpc";

export const chatRouter = createTRPCRouter({
  listSessions: protectedProcedure
    .input(ListSessionsInput)
    .output(outputOf(ListSessionsOutput))
    .query(({ ctx, input }) => listSessions(ctx.db, ctx.user.id, input)),

  createSession: protectedProcedure
    .input(CreateSessionInput)
    .output(outputOf(CreateSessionOutput))
    .mutation(({ ctx, input }) => createSession(ctx.chat, ctx.user.id, input)),

  getSession: protectedProcedure
    .input(GetSessionInput)
    .output(outputOf(GetSessionOutput))
    .query(({ ctx, input }) => getSession(ctx.db, ctx.user.id, input.sessionId)),

  listMessages: protectedProcedure
    .input(ListMessagesInput)
    .output(outputOf(ListMessagesOutput))
    .query(({ ctx, input }) => listMessages(ctx.db, ctx.user.id, input)),

  sendMessage: protectedProcedure
    .input(SendMessageInput)
    .output(outputOf(SendMessageOutput))
    .mutation(async ({ ctx, input }) => {
      await ctx.rateLimits.consume("send", `user:${ctx.user.id}`);
      await ctx.rateLimits.consume("send", `ip:${ctx.clientIp}`);
      return sendMessage(ctx.chat, { id: ctx.user.id, name: ctx.user.name ?? ctx.user.email.split("@")[0]! }, input);
    }),

  markRead: protectedProcedure
    .input(MarkReadInput)
    .output(outputOf(MarkReadOutput))
    .mutation(({ ctx, input }) => markRead(ctx.chat, ctx.user.id, input.sessionId)),

  closeSession: protectedProcedure
    .input(CloseSessionInput)
    .output(outputOf(CloseSessionOutput))
    .mutation(({ ctx, input }) => closeSession(ctx.chat, ctx.user.id, input.sessionId)),

  retryMessage: protectedProcedure
    .input(RetryMessageInput)
    .output(outputOf(RetryMessageOutput))
    .mutation(async ({ ctx, input }) => {
      await ctx.rateLimits.consume("send", `user:${ctx.user.id}`);
      return retryMessage(ctx.chat, ctx.user.id, input.messageId);
    }),

  stopReply: protectedProcedure
    .input(StopReplyInput)
    .output(outputOf(StopReplyOutput))
    .mutation(({ ctx, input }) => stopReply(ctx.chat, ctx.user.id, input.sessionId)),

  renameSession: protectedProcedure
    .input(RenameSessionInput)
    .output(outputOf(RenameSessionOutput))
    .mutation(({ ctx, input }) => renameSession(ctx.chat, ctx.user.id, input)),

  deleteSession: protectedProcedure
    .input(DeleteSessionInput)
    .output(outputOf(DeleteSessionOutput))
    .mutation(({ ctx, input }) => deleteSession(ctx.chat, ctx.user.id, input.sessionId)),

  /** The caller's last message answered again: a send as far as the limits go. */
  regenerate: protectedProcedure
    .input(RegenerateInput)
    .output(outputOf(RegenerateOutput))
    .mutation(async ({ ctx, input }) => {
      await ctx.rateLimits.consume("send", `user:${ctx.user.id}`);
      return regenerate(ctx.chat, ctx.user.id, input.sessionId);
    }),

  search: protectedProcedure
    .input(SearchInput)
    .output(outputOf(SearchOutput))
    .query(({ ctx, input }) => search(ctx.db, ctx.user.id, input)),

  /** Live updates over SSE: the caller's events (or one session's), resumable after lastEventId. */
  // The check runs before the stream starts, so a refusal is an ordinary error (NOT_FOUND).
  onEvent: protectedProcedure.input(OnEventInput).subscription(async ({ ctx, input, signal }) => {
    if (isShuttingDown()) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "This server is restarting; reconnecting" });
    if (input.sessionId) {
      const owned = await ctx.db.chatSession.count({ where: { id: input.sessionId, userId: ctx.user.id } });
      if (!owned) throw notFound("Session");
    }
    return userEvents({ db: ctx.db, bus: ctx.bus }, ctx.user.id, { ...input, signal });
  }),
});
