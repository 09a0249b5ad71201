import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";
import { getEnv } from "@/env";

/**
 * The caller's address, for per-IP rate limits. The left-most X-Forwarded-For entry is whatever the
 * client wrote, so it is never trusted: the address is the connection's, unless the operator says
 * that TRUSTED_PROXY_HOPS proxies sit in front, each appending the address it saw. Then the client
 * is the address the outermost of them saw: the N-th from the right, the connection counting as the
 * first (Express's `trust proxy` = N, computed by the same library).
 */
export function clientAddress(peer: string, forwardedFor: string | null, trustedHops: number): string {
  const req = { socket: { remoteAddress: peer }, headers: { "x-forwarded-for": forwardedFor ?? "" } };
  return proxyaddr(req as unknown as IncomingMessage, (_address, hop) => hop < trustedHops) || "unknown";
}

const PEER_HEADER_MARK = Symbol.for("pitchat.peerAddressHeader");

/**
 * The header scripts/server.mjs writes the connection's address into (overwriting any a client
 * sent), or null when the app runs without it, e.g. `next start` by hand or a test. The name comes
 * from a process-wide mark that only that server sets, so no request can make the app trust it.
 */
function peerAddressHeader(): string | null {
  const name = (globalThis as Record<symbol, unknown>)[PEER_HEADER_MARK];
  return typeof name === "string" ? name : null;
}

export function clientIpFrom(headers: Pick<Headers, "get">, trustedHops = getEnv().TRUSTED_PROXY_HOPS): string {
  const forwardedFor = headers.get("x-forwarded-for");
  const header = peerAddressHeader();
  if (header) return clientAddress(headers.get(header) || "unknown", forwardedFor, trustedHops);
  // Without that server Next writes the connection's address into X-Forwarded-For, but only when the
  // client sent none: with 0 hops this can be forged, which is why production refuses to start this
  // way (assertClientAddressKnown). Behind proxies the connection's own address is never the answer.
  const entries = (forwardedFor ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
  const last = entries.pop() ?? "unknown";
  return clientAddress(last, entries.join(","), Math.max(0, trustedHops - 1));
}

/**
 * Called once at server start: in production, per-IP limits need the connection's address when no
 * proxy is declared, and only scripts/server.mjs (`npm start`) provides it.
 */
export function assertClientAddressKnown(): void {
  const env = getEnv();
  if (env.NODE_ENV !== "production" || env.TRUSTED_PROXY_HOPS > 0 || peerAddressHeader()) return;
  throw new Error(
    "Start Pit Chat with `npm start`: `next start` alone cannot tell the app the client's address, so " +
      "per-IP rate limits could be dodged with a forged X-Forwarded-For. Behind reverse proxies that " +
      "append to X-Forwarded-For, set TRUSTED_PROXY_HOPS to their number instead.",
  );
}
