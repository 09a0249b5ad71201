const FALLBACK = "/chat";

/**
 * Where to go after sign-in: the callbackUrl only if it stays on this site, else /chat. The check is
 * the browser's own: parse the URL as the browser will (it drops tabs and newlines, reads `\` as `/`,
 * decodes nothing in the scheme) and compare origins, since string checks on the raw text let
 * `/%09/evil.example` through as `//evil.example`. The answer is the parsed path, which is
 * never protocol-relative.
 */
export function safeCallbackUrl(raw: string | null | undefined, origin: string): string {
  if (!raw) return FALLBACK;
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return FALLBACK;
  }
  // `/.//evil.example` is same-origin with the path `//evil.example`, which as a link would leave.
  if (url.origin !== new URL(origin).origin || url.pathname.startsWith("//")) return FALLBACK;
  return `${url.pathname}${url.search}${url.hash}`;
}
