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

/** NextAuth: email and password, JWT sessions (no session table: any instance can verify them). */
export function getAuthOptions(): NextAuthOptions {
  const env = getEnv();
  return {
    secret: env.NEXTAUTH_SECRET,
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
