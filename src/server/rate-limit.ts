import type pg from "pg";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { getEnv } from "@/env";
import { getDb } from "./db";
import { tooManyRequests } from "./errors";

/**
 * Fixed-window limits per key (user id, IP, IP and email). With several instances (PostgreSQL) the
 * counters live in the database (rate-limiter-flexible's PostgreSQL store, table "RateLimit"), so a
 * client behind a balancer of N instances gets the limit, not N times it; should the database fail,
 * each instance falls back to counting in its own memory rather than letting everyone through. The
 * embedded database serves one instance, so its counters stay in memory.
 */
export type RateLimitName = "signin" | "signinIp" | "register" | "send";
export type RateLimits = { consume: (name: RateLimitName, key: string) => Promise<void> };
export type RateLimitConfig = { windowSeconds: number } & Record<RateLimitName, number>;

export function createRateLimits(config: RateLimitConfig, store?: pg.Pool): RateLimits {
  const limiters = new Map<RateLimitName, RateLimiterAbstract>();
  for (const name of ["signin", "signinIp", "register", "send"] as const) {
    if (config[name] <= 0) continue;
    const options = { points: config[name], duration: config.windowSeconds, keyPrefix: name };
    const memory = new RateLimiterMemory(options);
    limiters.set(
      name,
      store
        ? new RateLimiterPostgres({ ...options, storeClient: store, storeType: "pool", tableName: "RateLimit", tableCreated: true, insuranceLimiter: memory })
        : memory,
    );
  }
  return {
    async consume(name, key) {
      const limiter = limiters.get(name);
      if (!limiter) return;
      try {
        await limiter.consume(key);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) throw tooManyRequests(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
        throw rejection;
      }
    },
  };
}

/**
 * A sign-in attempt, counted before the password is hashed: per address (password spraying, and
 * the argon2 work each attempt costs) and per address and email (guessing one password). A limit
 * keyed by the email alone would let anyone lock its owner out from everywhere.
 */
export async function consumeSignIn(limits: RateLimits, clientIp: string, email: string): Promise<void> {
  await limits.consume("signinIp", `ip:${clientIp}`);
  await limits.consume("signin", `ip-email:${clientIp}\n${email}`);
}

const globalForLimits = globalThis as unknown as { pitChatRateLimits?: RateLimits };

/** The process's limits, configured by the RATE_LIMIT_* variables; shared by all instances on PostgreSQL. */
export function getRateLimits(): RateLimits {
  const env = getEnv();
  return (globalForLimits.pitChatRateLimits ??= createRateLimits(
    {
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      signin: env.RATE_LIMIT_SIGNIN,
      signinIp: env.RATE_LIMIT_SIGNIN_IP,
      register: env.RATE_LIMIT_REGISTER,
      send: env.RATE_LIMIT_SEND,
    },
    env.PITCHAT_EMBEDDED ? undefined : getDb().pool,
  ));
}

/** Test and benchmark contexts: no limits. */
export const noRateLimits: RateLimits = { consume: async () => {} };
