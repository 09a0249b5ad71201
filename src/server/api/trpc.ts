/**
 * The tRPC base: context type, procedures and error formatting. Routers build on
 * `createTRPCRouter`, `publicProcedure` and `protectedProcedure` from here.
 */
import { isDeepStrictEqual } from "node:util";
import { initTRPC, TRPCError } from "@trpc/server";
import { z, ZodError } from "zod";
import type { SessionUser } from "@/server/auth/session";
import type { ChatDeps } from "@/server/chat/deps";
import type { Db } from "@/server/db";
import type { EventBus } from "@/server/events/bus";
import { DomainError } from "@/server/errors";
import type { RateLimits } from "@/server/rate-limit";
import { transformer } from "./transformer";

export type Context = {
  db: Db;
  /** The database, the event bus and the dispatch queue, for the domain's writes. */
  chat: ChatDeps;
  /** The event bus, for subscriptions. */
  bus: EventBus;
  user: SessionUser | null;
  /** The caller's address, for per-IP rate limits. */
  clientIp: string;
  rateLimits: RateLimits;
};

const isProduction = process.env.NODE_ENV === "production";

const t = initTRPC.context<Context>().create({
  transformer,
  isDev: !isProduction,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      // Internal messages can carry SQL or secrets: in production the client sees a generic text.
      message: internal && isProduction ? "Internal server error" : shape.message,
      data: {
        ...shape.data,
        zodError: error.code === "BAD_REQUEST" && cause instanceof ZodError ? z.flattenError(cause) : null,
        ...(cause instanceof DomainError ? cause.data : {}),
      },
    };
  },
  sse: {
    ping: { enabled: true, intervalMs: 15_000 },
    // Streams end now and then and the client reconnects, resuming after its last event: load
    // spreads again over instances, and no proxy holds a response forever.
    maxDurationMs: Number(process.env.SSE_MAX_DURATION_MS) || 5 * 60_000,
    client: { reconnectAfterInactivityMs: 25_000 },
  },
});

/** Domain errors become tRPC errors here, and only here. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  return result;
});

/**
 * A procedure's output schema (from src/shared), for `.output()`. Outside production (development,
 * every Vitest call) each answer is parsed by it and must come through unchanged: a key the schema
 * would strip (a field that should never leave the server), a value it refuses or would coerce, and
 * the call fails, so the test that reaches a drifting DTO says so. In production the schema is the
 * answer's type only: the answers are built field by field by the domain's DTO functions
 * (src/server/chat/dto.ts) from explicit column lists, and parsing them again was the largest item
 * of a history page's CPU after the database driver (bench/README.md, "Where a request's CPU goes"),
 * buying nothing the tests have not already checked. Inputs are always parsed.
 */
export function outputOf<S extends z.ZodType>(schema: S): (value: unknown) => z.output<S> {
  if (isProduction) return (value) => value as z.output<S>;
  return (value) => {
    const parsed = schema.parse(value);
    if (!isDeepStrictEqual(parsed, value)) {
      throw new Error(`The answer differs from its output schema's parse: ${JSON.stringify(value)?.slice(0, 500)}`);
    }
    return parsed;
  };
}

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(domainErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  return next({ ctx: { ...ctx, user: ctx.user } });
});
