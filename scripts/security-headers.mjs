/**
 * Response headers every answer carries, shared by next.config.mjs (what Next serves) and
 * scripts/server.mjs (the API calls it answers itself, past Next).
 */
export const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  // frame-ancestors 'none' says the same to browsers that read CSP; this is for those that do not.
  "X-Frame-Options": "DENY",
};

/**
 * API responses are data, never documents: nothing may load from them. NextAuth's few HTML pages
 * under /api/auth (error, sign-out confirmation) need only their inline <style> and a form posting
 * back here. Pages get their own policy, with a nonce per request, from src/proxy.ts.
 */
export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
