import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { getEnv } from "@/env";
import { tooManyRequests } from "./errors";

/**
 * Fixed-window limits per key (user id, IP, IP and email). Counters live in the process: with
 * several instances behind a balancer each enforces its own share, which bounds abuse without a broker.
 */
export type RateLimitName = "signin" | "signinIp" | "register" | "send";
export type RateLimits = { consume: (name: RateLimitName, key: string) => Promise<void> };
export type RateLimitConfig = { windowSeconds: number } & Record<RateLimitName, number>;

export function createRateLimits(config: RateLimitConfig): RateLimits {
  const limiters = new Map<RateLimitName, RateLimiterMemory>();
  for (const name of ["signin", "signinIp", "register", "send"] as const) {
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

/** The process's limits, configured by the RATE_LIMIT_* variables. */
export function getRateLimits(): RateLimits {
  const env = getEnv();
  return (globalForLimits.pitChatRateLimits ??= createRateLimits({
    windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
    signin: env.RATE_LIMIT_SIGNIN,
    signinIp: env.RATE_LIMIT_SIGNIN_IP,
    register: env.RATE_LIMIT_REGISTER,
    send: env.RATE_LIMIT_SEND,
  }));
}

/** Test and benchmark contexts: no limits. */
export const noRateLimits: RateLimits = { consume: async () => {} };
