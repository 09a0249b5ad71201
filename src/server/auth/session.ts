import { getToken } from "next-auth/jwt";
import { cookies, headers } from "next/headers";
import { getEnv } from "@/env";

/** The signed-in user, as the session cookie names them. */
export type SessionUser = { id: string; email: string; name: string | null };

type CookieSource = { getAll(): { name: string; value: string }[] };

/**
 * The signed-in user from the request's NextAuth session cookie, or null. It only decrypts the
 * JWT, where getServerSession would run NextAuth's whole session endpoint and encrypt a fresh token
 * on every call: this runs on every API request.
 */
export async function sessionUserFrom(cookieSource: CookieSource, requestHeaders: Headers): Promise<SessionUser | null> {
  const token = await getToken({
    // getToken reads cookies through getAll() and the Authorization header from a plain object.
    req: { cookies: cookieSource, headers: Object.fromEntries(requestHeaders) } as unknown as Parameters<typeof getToken>[0]["req"],
    secret: getEnv().NEXTAUTH_SECRET,
  });
  return token?.sub ? { id: token.sub, email: token.email ?? "", name: token.name ?? null } : null;
}

/** The signed-in user of the current server component or route handler, or null. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const [cookieStore, headerList] = await Promise.all([cookies(), headers()]);
  return sessionUserFrom(cookieStore, headerList);
}
