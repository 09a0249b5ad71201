import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig, devices } from "@playwright/test";

/**
 * End-to-end runs against the production build (`npm run build` first), served by `npm start` on
 * a fresh embedded database seeded with the demo data.
 *
 * Browser: Debian's Chromium where it exists (CHROMIUM_PATH, default /usr/bin/chromium), because
 * `npx playwright install` cannot download here; elsewhere, or with PLAYWRIGHT_BUNDLED_BROWSER=1,
 * Playwright's own browser.
 *
 * With TEST_DATABASE_URL set, a second server runs on PostgreSQL (a fresh database on that server,
 * seeded; port E2E_POSTGRES_PORT, default E2E_PORT + 1) and the HTTP-level specs (the API's edge
 * and the fuzzer) run against it too, as the "postgres" project.
 */
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = process.env.E2E_BASE_URL ?? `http://localhost:${port}`;
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const useSystemChromium = !process.env.PLAYWRIGHT_BUNDLED_BROWSER && existsSync(chromiumPath);
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), "pitchat-e2e-"));
const postgresPort = Number(process.env.E2E_POSTGRES_PORT ?? port + 1);
const postgresBaseURL = `http://localhost:${postgresPort}`;
const withPostgres = !process.env.E2E_BASE_URL && !!process.env.TEST_DATABASE_URL;

// The suite signs in and sends far more often than a person: relax the limits.
const relaxedLimits = { RATE_LIMIT_SIGNIN: "1000", RATE_LIMIT_SIGNIN_IP: "1000", RATE_LIMIT_REGISTER: "1000", RATE_LIMIT_SEND: "1000" };

/**
 * A webhook bot ("Hook") whose service e2e/bot-api.spec.ts runs on this port, configured the way an
 * operator would: a bots file, and the secret and token in the environment.
 */
export const HOOK = {
  port: Number(process.env.E2E_HOOK_PORT ?? port + 7),
  secret: `whsec_${Buffer.from("pit chat e2e webhook signing key!").toString("base64")}`,
  token: "e2e-hook-reply-token",
};
const botsFile = join(dataDir, "..", `pitchat-e2e-bots-${port}.json`);
writeFileSync(
  botsFile,
  JSON.stringify({
    agents: [{ name: "e2e-hook", kind: "webhook", url: `http://127.0.0.1:${HOOK.port}/hook`, secretEnv: "E2E_HOOK_SECRET", tokenEnv: "E2E_HOOK_TOKEN", timeoutMs: 5000 }],
    bots: [{ name: "e2e-hook", displayName: "Hook", agent: "e2e-hook", description: "A webhook service run by the browser suite." }],
  }),
);

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: useSystemChromium ? chromiumPath : undefined,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    // The fuzzer sends 4 requests at a time on both databases: the embedded one is served by our
    // transaction-aware server (src/server/pglite-server.ts), safe under concurrency.
    { name: "chromium", use: { ...devices["Desktop Chrome"] }, metadata: { fuzzConcurrency: 4 } },
    ...(withPostgres
      ? [{ name: "postgres", testMatch: /[\\/](api|fuzz)\.spec\.ts$/, use: { baseURL: postgresBaseURL }, metadata: { fuzzConcurrency: 4 } }]
      : []),
  ],
  webServer: process.env.E2E_BASE_URL
    ? undefined
    : [
        {
          command: "npm start",
          url: `${baseURL}/signin`,
          timeout: 120_000,
          reuseExistingServer: !process.env.CI,
          stdout: "pipe",
          env: {
            PORT: String(port),
            PITCHAT_DATA_DIR: dataDir,
            DATABASE_URL: "",
            NEXTAUTH_URL: baseURL,
            ...relaxedLimits,
            PITCHAT_BOTS_FILE: botsFile,
            E2E_HOOK_SECRET: HOOK.secret,
            E2E_HOOK_TOKEN: HOOK.token,
          },
        },
        ...(withPostgres
          ? [
              {
                command: "npx tsx scripts/e2e-postgres.ts",
                url: `${postgresBaseURL}/signin`,
                timeout: 120_000,
                reuseExistingServer: false,
                stdout: "pipe" as const,
                // SIGTERM, so the script stops its server and drops its database.
                gracefulShutdown: { signal: "SIGTERM" as const, timeout: 15_000 },
                env: { PORT: String(postgresPort), NEXTAUTH_URL: postgresBaseURL, ...relaxedLimits },
              },
            ]
          : []),
      ],
});
