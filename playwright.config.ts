import { existsSync, mkdtempSync } from "node:fs";
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
 */
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = process.env.E2E_BASE_URL ?? `http://localhost:${port}`;
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const useSystemChromium = !process.env.PLAYWRIGHT_BUNDLED_BROWSER && existsSync(chromiumPath);
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), "pitchat-e2e-"));

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
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: process.env.E2E_BASE_URL
    ? undefined
    : {
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
          // The suite signs in and sends far more often than a person: relax the limits.
          RATE_LIMIT_SIGNIN: "1000",
          RATE_LIMIT_SIGNIN_IP: "1000",
          RATE_LIMIT_REGISTER: "1000",
          RATE_LIMIT_SEND: "1000",
        },
      },
});
