/**
 * The HTTP server of `npm run dev` / `npm start`, spawned by scripts/run.ts: Next's own request
 * handler (the same one `next start` and `next dev` use) behind a plain node:http server, for one
 * thing `next start` cannot do: tell the app the address of the connection.
 *
 * Next keeps an incoming X-Forwarded-For exactly as the client sent it and fills it from the socket
 * only when it is absent, so a route handler cannot tell a forged header from a real one, and
 * NextRequest has no socket address. This server stamps the socket's address on every request under
 * a header of its own, overwriting whatever a client sent under that name, and marks the process so
 * the app trusts that header only here (src/server/client-ip.ts applies TRUSTED_PROXY_HOPS to it).
 *
 * Usage: node scripts/server.mjs dev|start (PORT, default 3000).
 */
import { createServer } from "node:http";

const PEER_ADDRESS_HEADER = "x-pitchat-peer-address";

const mode = process.argv[2];
if (mode !== "dev" && mode !== "start") {
  console.error("usage: node scripts/server.mjs dev|start");
  process.exit(2);
}
const dev = mode === "dev";
const port = Number(process.env.PORT ?? 3000);
// As `next dev` / `next start` set it, and before Next (and React through it) is loaded.
process.env.NODE_ENV = dev ? "development" : "production";
const { default: next } = await import("next");

// Read by src/server/client-ip.ts: a process-wide mark that no request header can forge.
globalThis[Symbol.for("pitchat.peerAddressHeader")] = PEER_ADDRESS_HEADER;

const app = next({ dev, port, hostname: "localhost" });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  req.headers[PEER_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
  handle(req, res).catch((error) => {
    console.error("Request failed:", error);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
});
server.listen(port, () => console.log(`Ready on http://localhost:${port} (${dev ? "development" : "production"})`));

/**
 * Graceful shutdown (SIGTERM, SIGINT): stop listening (a balancer's next connection goes to another
 * instance), let the app end its live streams and hand its running replies back to the queue
 * (src/server/services.ts), give the requests under way a moment to finish, then exit.
 */
let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down (pid ${process.pid})`);
  const closed = new Promise((resolve) => server.close(resolve));
  const shutdownApp = globalThis[Symbol.for("pitchat.shutdown")];
  if (typeof shutdownApp === "function") await shutdownApp().catch((error) => console.error("shutdown:", error));
  server.closeIdleConnections();
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  await app.close().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
