import { describe, expect, it } from "vitest";
import { DomainError } from "./errors";
import { consumeSignIn, createRateLimits } from "./rate-limit";

const limits = (signin: number, signinIp: number) => createRateLimits({ windowSeconds: 60, signin, signinIp, register: 5, send: 60 });

/** How many of `attempts` sign-in attempts get through before TOO_MANY_REQUESTS. */
async function admitted(run: (i: number) => Promise<void>, attempts: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < attempts; i++) {
    try {
      await run(i);
      ok++;
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("TOO_MANY_REQUESTS");
      expect((error as DomainError).data?.retryAfter).toBeGreaterThanOrEqual(1);
    }
  }
  return ok;
}

describe("sign-in limits", () => {
  it("stop guessing one user's password from one address after RATE_LIMIT_SIGNIN attempts", async () => {
    const l = limits(3, 100);
    expect(await admitted(() => consumeSignIn(l, "203.0.113.7", "alice@example.com"), 10)).toBe(3);
  });

  it("do not let an attacker lock the user out: the same email from another address still gets in", async () => {
    const l = limits(3, 100);
    await admitted(() => consumeSignIn(l, "198.51.100.66", "alice@example.com"), 10);
    expect(await admitted(() => consumeSignIn(l, "203.0.113.7", "alice@example.com"), 1)).toBe(1);
  });

  it("stop one address trying many emails after RATE_LIMIT_SIGNIN_IP attempts", async () => {
    const l = limits(3, 5);
    expect(await admitted((i) => consumeSignIn(l, "198.51.100.66", `user${i}@example.com`), 20)).toBe(5);
    // Others are not affected.
    expect(await admitted(() => consumeSignIn(l, "203.0.113.7", "user1@example.com"), 1)).toBe(1);
  });

  it("are off at 0", async () => {
    const l = limits(0, 0);
    expect(await admitted(() => consumeSignIn(l, "198.51.100.66", "alice@example.com"), 50)).toBe(50);
  });
});

describe("limits shared by several instances (PostgreSQL store)", () => {
  it.runIf(process.env.TEST_DB === "postgres")("count one client once across two instances, not once per instance", async () => {
    const { createTestDatabase } = await import("@/test/db");
    const { createDb } = await import("./db");
    const t = await createTestDatabase();
    const [a, b] = [createDb(t.url, { max: 2 }), createDb(t.url, { max: 2 })];
    try {
      const config = { windowSeconds: 60, signin: 10, signinIp: 50, register: 5, send: 6 };
      const [onA, onB] = [createRateLimits(config, a.pool), createRateLimits(config, b.pool)];
      // Alternating between the instances, as a round-robin balancer does.
      expect(await admitted((i) => (i % 2 ? onA : onB).consume("send", "user:u1"), 12)).toBe(6);
      // Another user is not affected.
      expect(await admitted(() => onA.consume("send", "user:u2"), 1)).toBe(1);
    } finally {
      await a.db.$disconnect();
      await b.db.$disconnect();
      await t.close();
    }
  });
});
