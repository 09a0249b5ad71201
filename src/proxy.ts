import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";

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

/**
 * Runs for /chat pages (sign-in required) and for any path with a percent sign (the only kind that
 * can fail to decode), so ordinary API calls do not pay for it.
 */
export async function proxy(req: NextRequest) {
  if (!isDecodablePath(req.nextUrl.pathname)) {
    return NextResponse.json({ error: { message: "The path is not valid percent-encoded UTF-8", code: "BAD_REQUEST" } }, { status: 400 });
  }
  const { pathname } = req.nextUrl;
  if (pathname !== "/chat" && !pathname.startsWith("/chat/")) return NextResponse.next();
  // Pages behind sign-in: without a valid session cookie, off to /signin and back afterwards.
  const token = await getToken({ req, secret: process.env.NEXTAUTH_SECRET });
  if (token) return NextResponse.next();
  const signin = new URL("/signin", req.url);
  signin.searchParams.set("callbackUrl", `${req.nextUrl.pathname}${req.nextUrl.search}`);
  return NextResponse.redirect(signin);
}

export const config = { matcher: ["/chat", "/chat/:path*", "/:path(.*%.*)"] };
