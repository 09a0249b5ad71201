import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getEnv } from "@/env";
import { SignInInput } from "@/shared";
import { getDb } from "../db";
import { consumeSignIn, getRateLimits } from "../rate-limit";
import { DomainError } from "../errors";
import { clientIpFrom } from "../client-ip";
import { sameSiteRedirect } from "./callback-url";
import { authenticate } from "./users";

/**
 * NextAuth's errors as it logs them, but one: a session cookie that does not decrypt (forged, cut
 * short, or sealed with a secret since changed) is the client's input, answered as signed out. It
 * is one line, not a stack trace for every request that sends one (a cheap way to flood the log).
 */
export const authLogger: NonNullable<NextAuthOptions["logger"]> = {
  error(code, metadata) {
    if (code === "JWT_SESSION_ERROR") {
      const error = metadata instanceof Error ? metadata : metadata?.error;
      console.warn(`auth: ignored a session cookie that does not decrypt (${error?.message || "invalid token"})`);
      return;
    }
    console.error(`[next-auth][error][${code}]`, metadata);
  },
};

/** NextAuth: email and password, JWT sessions (no session table: any instance can verify them). */
export function getAuthOptions(): NextAuthOptions {
  const env = getEnv();
  return {
    secret: env.NEXTAUTH_SECRET,
    logger: authLogger,
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    pages: { signIn: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email",
        credentials: {
          email: { label: "Email", type: "email" },
          password: { label: "Password", type: "password" },
        },
        async authorize(credentials, req) {
          const parsed = SignInInput.safeParse(credentials);
          if (!parsed.success) return null;
          try {
            const clientIp = clientIpFrom(new Headers(req.headers as Record<string, string>));
            await consumeSignIn(getRateLimits(), clientIp, parsed.data.email);
          } catch (error) {
            if (error instanceof DomainError) throw new Error(error.message);
            throw error;
          }
          return authenticate(getDb().db, parsed.data);
        },
      }),
    ],
    callbacks: {
      redirect: sameSiteRedirect,
      jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.name = user.name ?? null;
          token.email = user.email ?? null;
        }
        return token;
      },
      session({ session, token }) {
        if (token.sub) session.user = { id: token.sub, email: token.email ?? "", name: token.name ?? null };
        return session;
      },
    },
  };
}
