import { API_CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./scripts/security-headers.mjs";

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
        headers: Object.entries(SECURITY_HEADERS).map(([key, value]) => ({ key, value })),
      },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }] },
    ];
  },
};

export default nextConfig;
