/**
 * The Content-Security-Policy of every page, with a fresh nonce per request. Next reads the nonce
 * from the request's policy while rendering and puts it on its own scripts; 'strict-dynamic' then
 * trusts the chunks those scripts load (the thread, the highlighter), so no other script, inline or
 * from anywhere, can run.
 *
 * Styles allow 'unsafe-inline': the virtual list positions rows with style attributes and Radix's
 * scroll lock adds a <style> element, neither of which a nonce can cover (a nonce in style-src would
 * also switch 'unsafe-inline' off). Markdown never renders raw HTML, so no one else can add styles.
 */
export function contentSecurityPolicy({ nonce, dev, https }: { nonce: string; dev: boolean; https: boolean }): string {
  const directives = [
    "default-src 'self'",
    // React in development rebuilds server error stacks with eval; production never evaluates strings.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    // Avatars and the favicon are files of this site; Next's development overlay also shows data: images.
    `img-src 'self'${dev ? " data: blob:" : ""}`,
    "font-src 'self'",
    // tRPC over fetch and SSE, and in development the HMR socket: all same-origin.
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  // Only over HTTPS: on a plain-HTTP server it would send the browser to an https:// that is not there.
  if (https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** 128 random bits, base64: unguessable, and valid in a CSP source expression. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
