import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { getEnv } from "@/env";
import { isAcceptedCallbackUrl } from "@/server/auth/callback-url";
import { getAuthOptions } from "@/server/auth/options";

export const dynamic = "force-dynamic";

/**
 * A callback URL NextAuth would refuse with a 500 ("server configuration"), whether it came as the
 * query parameter or as its cookie, is the client's mistake: a 400 that says so.
 */
function refusedCallbackUrl(req: NextRequest): Response | null {
  const baseUrl = new URL(getEnv().NEXTAUTH_URL ?? req.nextUrl.origin).origin;
  // As NextAuth reads them: the last value of a repeated parameter, the cookie of its secure mode.
  const param = Object.fromEntries(req.nextUrl.searchParams).callbackUrl;
  const cookieName = `${baseUrl.startsWith("https://") ? "__Secure-" : ""}next-auth.callback-url`;
  const cookie = req.cookies.get(cookieName)?.value;
  for (const value of [param, cookie]) {
    if (value && !isAcceptedCallbackUrl(value, baseUrl)) {
      return Response.json({ error: { message: "callbackUrl must be a path or an http(s) URL", code: "BAD_REQUEST" } }, { status: 400 });
    }
  }
  return null;
}

function handler(req: NextRequest, context: { params: Promise<{ nextauth: string[] }> }) {
  return refusedCallbackUrl(req) ?? NextAuth(getAuthOptions())(req, context);
}

export { handler as GET, handler as POST };
