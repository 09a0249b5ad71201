import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";

/** Pages behind sign-in: without a valid session cookie, off to /signin and back afterwards. */
export async function proxy(req: NextRequest) {
  const token = await getToken({ req, secret: process.env.NEXTAUTH_SECRET });
  if (token) return NextResponse.next();
  const signin = new URL("/signin", req.url);
  signin.searchParams.set("callbackUrl", `${req.nextUrl.pathname}${req.nextUrl.search}`);
  return NextResponse.redirect(signin);
}

export const config = { matcher: ["/chat", "/chat/:path*"] };
