import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, newNonce } from "@/server/content-security-policy";

/** Pages behind sign-in: without a valid session cookie, off to /signin and back afterwards. */
const SIGNED_IN_ONLY = /^\/chat(\/|$)/;

export async function proxy(req: NextRequest) {
  if (SIGNED_IN_ONLY.test(req.nextUrl.pathname) && !(await getToken({ req, secret: process.env.NEXTAUTH_SECRET }))) {
    const signin = new URL("/signin", req.url);
    signin.searchParams.set("callbackUrl", `${req.nextUrl.pathname}${req.nextUrl.search}`);
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

// Every page; not the API (its static policy is in next.config.mjs) nor static files.
export const config = { matcher: ["/((?!api/|_next/static/|_next/image|avatars/|favicon\\.svg).*)"] };
