/**
 * What NextAuth's errors leave in the server's log: a session cookie that does not decrypt is one
 * warning line (any client can send one on every request); every other error is logged in full.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { authLogger, getAuthOptions } from "./options";

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe("NextAuth's log", () => {
  it("is one warning line, without a stack, for a session cookie that does not decrypt", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    authLogger.error!("JWT_SESSION_ERROR", new Error("Invalid Compact JWE"));
    authLogger.error!("JWT_SESSION_ERROR", { error: new Error("JWE Decryption Failed") });
    expect(error).not.toHaveBeenCalled();
    expect(warn.mock.calls).toEqual([
      ["auth: ignored a session cookie that does not decrypt (Invalid Compact JWE)"],
      ["auth: ignored a session cookie that does not decrypt (JWE Decryption Failed)"],
    ]);
  });

  it("keeps every other error whole, and is the logger the app's NextAuth uses", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const cause = new Error("database down");
    authLogger.error!("SIGNIN_OAUTH_ERROR", { error: cause, providerId: "x" });
    expect(error).toHaveBeenCalledWith("[next-auth][error][SIGNIN_OAUTH_ERROR]", { error: cause, providerId: "x" });
    vi.stubEnv("NEXTAUTH_SECRET", "a-test-secret-of-enough-length");
    vi.stubEnv("DATABASE_URL", "postgresql://127.0.0.1:1/none");
    expect(getAuthOptions().logger).toBe(authLogger);
  });
});
