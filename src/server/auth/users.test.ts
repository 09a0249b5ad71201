import { ZodError } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { createRateLimits } from "@/server/rate-limit";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, userWithSession } from "@/test/fixtures";
import { errorShape, trpcError } from "@/test/trpc";
import { authenticate } from "./users";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

const anonymous = () => callerFor(t.db, null);
let n = 0;
const freshEmail = (local = "user") => `${local}-${++n}-${Date.now()}@example.com`;

describe("auth.register", () => {
  it("creates the user and answers { user: { id, email (lower-cased, trimmed), name } }", async () => {
    const email = freshEmail("Ada.Lovelace").toUpperCase();
    const result = await anonymous().auth.register({ email: `  ${email} `, password: "correct horse", name: "  Ada  " });
    expect(result).toEqual({ user: { id: expect.any(String), email: email.toLowerCase(), name: "Ada" } });
    expect(Object.keys(result.user).sort()).toEqual(["email", "id", "name"]);
    const row = await t.db.user.findUniqueOrThrow({ where: { id: result.user.id } });
    expect(row.email).toBe(email.toLowerCase());
  });

  it("stores the password as an argon2id hash the user can sign in with", async () => {
    const email = freshEmail();
    const { user } = await anonymous().auth.register({ email, password: "s3cret-passphrase" });
    expect(user.name).toBeNull();
    const row = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).not.toBe("s3cret-passphrase");
    expect(row.passwordHash).not.toContain("s3cret-passphrase");
    expect(row.passwordHash.startsWith("$argon2id$")).toBe(true);
    expect(await authenticate(t.db, { email, password: "s3cret-passphrase" })).toEqual({ id: user.id, email, name: null });
    expect(await authenticate(t.db, { email, password: "wrong-passphrase" })).toBeNull();
  });

  it("answers BAD_REQUEST with a zodError on the password for a short password, and stores nothing", async () => {
    const email = freshEmail();
    const error = await trpcError(anonymous().auth.register({ email, password: "1234567" }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.cause).toBeInstanceOf(ZodError);
    expect((error.cause as ZodError).issues.map((issue) => issue.path)).toEqual([["password"]]);
    expect(errorShape(error, "auth.register").data.zodError?.fieldErrors.password).toEqual(["At least 8 characters"]);
    expect(await t.db.user.count({ where: { email } })).toBe(0);
    // Exactly 8 is enough.
    await expect(anonymous().auth.register({ email, password: "12345678" })).resolves.toMatchObject({ user: { email } });
  });

  it("answers CONFLICT for an email already registered in another case, and keeps one row", async () => {
    const local = `dup-${Date.now()}`;
    await anonymous().auth.register({ email: `${local.toUpperCase()}@X.com`, password: "password-1" });
    const error = await trpcError(anonymous().auth.register({ email: `${local}@x.com`, password: "password-2" }));
    expect(error.code).toBe("CONFLICT");
    expect(await t.db.user.count({ where: { email: { equals: `${local}@x.com`, mode: "insensitive" } } })).toBe(1);
  });

  it("lets exactly one of two concurrent sign-ups with one email through", async () => {
    const email = freshEmail("race");
    const results = await Promise.allSettled([
      anonymous().auth.register({ email, password: "password-1" }),
      anonymous().auth.register({ email: email.toUpperCase(), password: "password-2" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(rejected.map((r) => (r.reason as { code: string }).code)).toEqual(["CONFLICT"]);
    expect(await t.db.user.count({ where: { email } })).toBe(1);
  });

  it("rate-limits per address: the third sign-up in the window is TOO_MANY_REQUESTS with retryAfter", async () => {
    const limits = createRateLimits({ windowSeconds: 60, signin: 10, signinIp: 50, register: 2, send: 60 });
    const caller = callerFor(t.db, null, limits);
    await caller.auth.register({ email: freshEmail(), password: "password-1" });
    await caller.auth.register({ email: freshEmail(), password: "password-2" });
    const users = await t.db.user.count();
    const email = freshEmail();
    const error = await trpcError(caller.auth.register({ email, password: "password-3" }));
    expect(error.code).toBe("TOO_MANY_REQUESTS");
    expect(error.cause).toBeInstanceOf(DomainError);
    const retryAfter = (error.cause as DomainError).data?.retryAfter;
    expect(typeof retryAfter).toBe("number");
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(errorShape(error, "auth.register").data.retryAfter).toBe(retryAfter);
    expect(await t.db.user.count()).toBe(users);
  });
});

describe("rate limit on chat.sendMessage", () => {
  it("answers TOO_MANY_REQUESTS with retryAfter past the send limit, and stores nothing", async () => {
    const { user, session } = await userWithSession(t.db);
    const caller = callerFor(t.db, user, createRateLimits({ windowSeconds: 60, signin: 10, signinIp: 50, register: 2, send: 3 }));
    for (const content of ["one", "two", "three"]) await caller.chat.sendMessage({ sessionId: session.id, content });
    const error = await trpcError(caller.chat.sendMessage({ sessionId: session.id, content: "four" }));
    expect(error.code).toBe("TOO_MANY_REQUESTS");
    expect(error.cause).toBeInstanceOf(DomainError);
    const retryAfter = (error.cause as DomainError).data?.retryAfter;
    expect(typeof retryAfter).toBe("number");
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(errorShape(error, "chat.sendMessage").data.retryAfter).toBe(retryAfter);
    expect(await t.db.message.count({ where: { sessionId: session.id } })).toBe(3);
    const { session: after } = await caller.chat.getSession({ sessionId: session.id });
    expect(after.messageCount).toBe(3);
  });
});
