import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, newNonce } from "@/server/content-security-policy";

/**
 * True when every segment of the raw path decodes as percent-encoded UTF-8. Next decodes a dynamic
 * segment (`/api/trpc/[trpc]`, `/api/auth/[...nextauth]`, `/chat/[sessionId]`) the same way and,
 * when that throws, answers 500: a client's malformed path is refused here, before routing.
 */
export function isDecodablePath(pathname: string): boolean {
  try {
    for (const segment of pathname.split("/")) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** Pages behind sign-in: without a valid session cookie, off to /signin and back afterwards. */
const SIGNED_IN_ONLY = /^\/chat(\/|$)/;

export async function proxy(req: NextRequest) {
  const { pathname } = req.nextUrl;
  if (!isDecodablePath(pathname)) {
    return NextResponse.json({ error: { message: "The path is not valid percent-encoded UTF-8", code: "BAD_REQUEST" } }, { status: 400 });
  }
  // The API is here only for that check (its static policy is in next.config.mjs).
  if (pathname.startsWith("/api/")) return NextResponse.next();
  if (SIGNED_IN_ONLY.test(pathname) && !(await getToken({ req, secret: process.env.NEXTAUTH_SECRET }))) {
    const signin = new URL("/signin", req.url);
    signin.searchParams.set("callbackUrl", `${pathname}${req.nextUrl.search}`);
    return NextResponse.redirect(signin);
  }
  return withContentSecurityPolicy(req);
}

/**
 * The page renders with the policy on its request (Next takes the nonce for its scripts from there)
 * and the browser gets the same policy on the response.
 */
function withContentSecurityPolicy(req: NextRequest) {
  const policy = contentSecurityPolicy({
    nonce: newNonce(),
    dev: process.env.NODE_ENV === "development",
    https: process.env.NEXTAUTH_URL?.startsWith("https://") ?? false,
  });
  const headers = new Headers(req.headers);
  headers.set("content-security-policy", policy);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", policy);
  return res;
}

// Every page (not static files); and any path with a percent sign (the only kind that can fail to
// decode), the API's included, so ordinary API calls do not pay for the proxy.
export const config = { matcher: ["/((?!api/|_next/static/|_next/image|avatars/|favicon\\.svg).*)", "/:path(.*%.*)"] };
