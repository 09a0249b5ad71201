/**
 * The caller's address for rate limits. Behind a proxy the left-most X-Forwarded-For entry is the
 * client; deploy behind one that sets it (and strips what clients send).
 */
export function clientIpFrom(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for");
  if (forwarded) return forwarded.split(",")[0]!.trim();
  return headers.get("x-real-ip") ?? "local";
}
