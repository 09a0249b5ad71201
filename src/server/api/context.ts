import { getSessionUser } from "@/server/auth/session";
import { clientIpFrom } from "@/server/client-ip";
import { getDb } from "@/server/db";
import { getRateLimits } from "@/server/rate-limit";
import type { Context } from "./trpc";

/** The context of one HTTP request: the app's database, the signed-in user, the caller's address. */
export async function createRequestContext(headers: Headers): Promise<Context> {
  return {
    db: getDb().db,
    user: await getSessionUser(),
    clientIp: clientIpFrom(headers),
    rateLimits: getRateLimits(),
  };
}
