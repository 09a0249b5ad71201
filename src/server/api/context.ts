import { sessionUserFrom } from "@/server/auth/session";
import { clientIpFrom } from "@/server/client-ip";
import { getDb } from "@/server/db";
import { getRateLimits } from "@/server/rate-limit";
import { getServices } from "@/server/services";
import type { Context } from "./trpc";

type RequestLike = {
  cookies: { getAll(): { name: string; value: string }[] } | Record<string, string>;
  headers: Headers | { get(name: string): string | null };
};

/** The context of one HTTP request: the app's database, the signed-in user, the caller's address. */
export async function createRequestContext(req: RequestLike): Promise<Context> {
  const services = getServices();
  return {
    db: getDb().db,
    chat: services.deps,
    bus: services.bus,
    user: await sessionUserFrom(req.cookies, { authorization: req.headers.get("authorization") ?? undefined }),
    clientIp: clientIpFrom(req.headers),
    rateLimits: getRateLimits(),
  };
}
