/**
 * API responses are data, never documents: nothing may load from them. NextAuth's few HTML pages
 * under /api/auth (error, sign-out confirmation) need only their inline <style> and a form posting
 * back here. Pages get their own policy, with a nonce per request, from src/proxy.ts.
 */
const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Every corner of the chat layout holds a control at some width (the signed-in user's avatar,
  // Send, Close session, the logo); compile and runtime errors still show without the indicator.
  devIndicators: false,
  // Native and WASM packages load from node_modules at run time instead of being bundled.
  serverExternalPackages: ["@node-rs/argon2", "@electric-sql/pglite", "@electric-sql/pglite-socket", "pg"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          // frame-ancestors 'none' says the same to browsers that read CSP; this is for those that do not.
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }] },
    ];
  },
};

export default nextConfig;
