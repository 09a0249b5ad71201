/**
 * Where NextAuth may send the browser after signing in or out. Its own code answers 500 to a
 * callback URL it cannot parse (`new URL("%FF")` throws in its default redirect callback, and its
 * configuration check fails the request on a `callbackUrl` parameter or cookie it does not accept),
 * so the app settles callback URLs itself.
 */

/** NextAuth's own acceptance rule for the `callbackUrl` parameter and cookie: a path, or an http(s) URL. */
export function isAcceptedCallbackUrl(url: string, baseUrl: string): boolean {
  try {
    return /^https?:/.test(new URL(url, url.startsWith("/") ? baseUrl : undefined).protocol);
  } catch {
    return false;
  }
}

/**
 * The redirect callback: a URL on this site, normalised (`new URL` percent-encodes what a Location
 * header or a cookie cannot carry), or the site's root for anything else: another origin, a
 * `javascript:` URL, text that is no URL at all.
 */
export function sameSiteRedirect({ url, baseUrl }: { url: string; baseUrl: string }): string {
  try {
    // A path is resolved on this site; anything else must be a whole URL, as NextAuth reads it.
    const target = url.startsWith("/") ? new URL(url, baseUrl) : new URL(url);
    if (target.origin === new URL(baseUrl).origin) return target.href;
  } catch {
    // Not a URL: fall back to the root.
  }
  return baseUrl;
}
