import { authRouter } from "./routers/auth";
import { botRouter } from "./routers/bot";
import { chatRouter } from "./routers/chat";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  bot: botRouter,
  chat: chatRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
