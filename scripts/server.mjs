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
 *
 * One instance per core: with WEB_CONCURRENCY=N (or "auto": one per core) and PostgreSQL, this
 * process forks N instances (Node's cluster module) that share the port, the kernel spreading the
 * connections; each is a whole instance (its own workers, its own LISTEN connection), so they work
 * together exactly as instances on several machines do. A worker that dies is replaced.
 */
import cluster from "node:cluster";
import { createServer } from "node:http";
import { availableParallelism } from "node:os";
import compression from "compression";
import { API_CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./security-headers.mjs";

const PEER_ADDRESS_HEADER = "x-pitchat-peer-address";

const mode = process.argv[2];
if (mode !== "dev" && mode !== "start") {
  console.error("usage: node scripts/server.mjs dev|start");
  process.exit(2);
}
const dev = mode === "dev";
const port = Number(process.env.PORT ?? 3000);

const concurrency = process.env.WEB_CONCURRENCY === "auto" ? availableParallelism() : Number(process.env.WEB_CONCURRENCY ?? 1) || 1;
if (cluster.isPrimary && concurrency > 1 && !dev) {
  if (process.env.PITCHAT_EMBEDDED === "1") {
    console.error("WEB_CONCURRENCY needs PostgreSQL (DATABASE_URL): the embedded database serves one instance.");
    process.exit(2);
  }
  await runPrimary(concurrency);
} else {
  await runInstance();
}

async function runPrimary(count) {
  let stopping = false;
  const fork = () => cluster.fork().on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`instance exited (${signal ?? code}); starting another`);
    setTimeout(fork, 1_000);
  });
  for (let i = 0; i < count; i++) fork();
  console.log(`${count} instances on port ${port} (WEB_CONCURRENCY)`);
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    const check = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearInterval(check);
        process.exit(0);
      }
    }, 100);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

async function runInstance() {
  // As `next dev` / `next start` set it, and before Next (and React through it) is loaded.
  process.env.NODE_ENV = dev ? "development" : "production";
  const { default: next } = await import("next");

  // Read by src/server/client-ip.ts: a process-wide mark that no request header can forge.
  globalThis[Symbol.for("pitchat.peerAddressHeader")] = PEER_ADDRESS_HEADER;

  const app = next({ dev, port, hostname: "localhost" });
  const handle = app.getRequestHandler();
  await app.prepare();

  // The API past Next (src/server/api/node-handler.ts, published by src/instrumentation.ts once the
  // app is up): the same procedures without Next's router and route runtime. Not in development,
  // where Next recompiles the router; not for a path with a percent sign, which src/proxy.ts must
  // check first. Next's other work for these paths is done here: its headers, and gzip when asked.
  const apiHandler = () => (dev ? undefined : globalThis[Symbol.for("pitchat.apiHandler")]);
  const compress = compression({
    // Live streams (SSE) are written event by event; tRPC flushes after each one, but a compressor
    // would still hold back the pings that keep idle streams open through proxies.
    filter: (req, res) => !String(res.getHeader("content-type") ?? "").startsWith("text/event-stream") && compression.filter(req, res),
  });
  const answersApi = (url) => url.startsWith("/api/trpc/") && !url.split("?", 1)[0].includes("%");

  const server = createServer((req, res) => {
    req.headers[PEER_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
    const failed = (error) => {
      console.error("Request failed:", error);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    };
    const api = apiHandler();
    if (api && answersApi(req.url ?? "")) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
      res.setHeader("Content-Security-Policy", API_CONTENT_SECURITY_POLICY);
      compress(req, res, () => api(req, res).catch(failed));
      return;
    }
    handle(req, res).catch(failed);
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
}
