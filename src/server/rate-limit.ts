import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { getEnv } from "@/env";
import { tooManyRequests } from "./errors";

/**
 * Fixed-window limits per key (user id, IP, email). Counters live in the process: with several
 * instances behind a balancer each enforces its own share, which bounds abuse without a broker.
 */
export type RateLimitName = "signin" | "register" | "send";
export type RateLimits = { consume: (name: RateLimitName, key: string) => Promise<void> };

export function createRateLimits(config: { windowSeconds: number; signin: number; register: number; send: number }): RateLimits {
  const limiters = new Map<RateLimitName, RateLimiterMemory>();
  for (const name of ["signin", "register", "send"] as const) {
    if (config[name] > 0) limiters.set(name, new RateLimiterMemory({ points: config[name], duration: config.windowSeconds }));
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

const globalForLimits = globalThis as unknown as { pitChatRateLimits?: RateLimits };

/** The process's limits, configured by the RATE_LIMIT_* variables. */
export function getRateLimits(): RateLimits {
  const env = getEnv();
  return (globalForLimits.pitChatRateLimits ??= createRateLimits({
    windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
    signin: env.RATE_LIMIT_SIGNIN,
    register: env.RATE_LIMIT_REGISTER,
    send: env.RATE_LIMIT_SEND,
  }));
}

/** Test and benchmark contexts: no limits. */
export const noRateLimits: RateLimits = { consume: async () => {} };
