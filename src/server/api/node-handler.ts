import type { IncomingMessage, ServerResponse } from "node:http";
import { incomingMessageToRequest, nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { resolveResponse } from "@trpc/server/http";
import { parseCookie } from "cookie";
import { createRequestContext } from "./context";
import { MAX_BATCH_SIZE, MAX_BODY_BYTES, writeStreamRetry } from "./http";
import { appRouter } from "./root";

const ENDPOINT = "/api/trpc/";

/**
 * The API on node:http, for scripts/server.mjs to call before Next sees the request: the same
 * router, context, limits and error logging as the App Router route (src/app/api/trpc/[trpc]),
 * through tRPC's own node adapter instead of Next's router and route runtime, which cost more CPU
 * per call than the procedures themselves (bench/README.md, "Where a request's time goes"). The
 * route stays for `next dev` and for paths Next's proxy must check first.
 */
export async function handleApiRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const declared = Number(req.headers["content-length"] ?? "NaN");
  if (declared > MAX_BODY_BYTES) {
    // As the route answers it: refused before a byte of the body is read.
    res.statusCode = 413;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ error: { message: `Request body exceeds ${MAX_BODY_BYTES} bytes`, code: "PAYLOAD_TOO_LARGE" } }));
    req.resume();
    return;
  }
  const pathname = (req.url ?? "/").split("?", 1)[0]!;
  const options = {
    router: appRouter,
    path: pathname.slice(ENDPOINT.length).replace(/\/+$/, ""),
    // A chunked body is cut off as soon as it passes the limit (413).
    maxBodySize: MAX_BODY_BYTES,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: ({ req: incoming }: { req: IncomingMessage }) =>
      createRequestContext({
        cookies: parseCookie(incoming.headers.cookie ?? "") as Record<string, string>,
        headers: { get: (name: string) => headerOf(incoming, name) },
      }),
    onError({ error, path }: { error: { code: string; cause?: unknown }; path?: string }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  };

  // Live streams (SSE) and streamed batches are written as they come, by tRPC's own adapter: asked
  // for by the headers, or a subscription, which answers a stream whatever the client accepts. An
  // event stream starts with how soon to reconnect when it ends (SSE_RETRY_MS).
  if (/text\/event-stream/.test(req.headers.accept ?? "") || req.headers["trpc-accept"] === "application/jsonl" || options.path.split(",").some(isSubscription)) {
    return nodeHTTPRequestHandler({ ...options, req, res: writeStreamRetry(res) });
  }
  // Everything else is one JSON body: written in one go rather than piped chunk by chunk through
  // web streams, which cost more than the procedure's own work for a small answer.
  let request: Request;
  try {
    request = incomingMessageToRequest(req, res, { maxBodySize: MAX_BODY_BYTES });
  } catch {
    // A request tRPC cannot read (a malformed Host): its adapter answers it (400).
    return nodeHTTPRequestHandler({ ...options, req, res });
  }
  const response = await resolveResponse({
    ...options,
    req: request,
    error: null,
    createContext: () => options.createContext({ req }),
    onError: options.onError,
  });
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
}

const procedures = (appRouter as unknown as { _def: { procedures: Record<string, { _def?: { type?: string } }> } })._def.procedures;
const isSubscription = (path: string) => procedures[path]?._def?.type === "subscription";

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(", ") : (value ?? null);
}
