import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { NextRequest } from "next/server";
import { appRouter } from "@/server/api/root";
import { createRequestContext } from "@/server/api/context";
import { MAX_BATCH_SIZE, withBodyLimit, withStreamRetry } from "@/server/api/http";

export const dynamic = "force-dynamic";

async function handler(req: NextRequest) {
  const limited = await withBodyLimit(req);
  if (limited instanceof Response) return limited;
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: limited,
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: () => createRequestContext(req),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
  // A live stream starts with how soon to reconnect when it ends (as on node:http: node-handler.ts).
  return withStreamRetry(response);
}

export { handler as GET, handler as POST };
