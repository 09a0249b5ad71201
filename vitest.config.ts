import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = fileURLToPath(new URL("./src", import.meta.url));
const shared = {
  resolve: { alias: { "@": src, "server-only": fileURLToPath(new URL("./src/test/empty.ts", import.meta.url)) } },
};
const base = {
  include: ["src/**/*.test.ts", "scripts/**/*.test.ts"],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // Two cores: each worker runs its own database, so more workers only queue.
  maxWorkers: 2,
};

// Every server test runs on the embedded database (PGlite); with TEST_DATABASE_URL it runs again on
// that PostgreSQL server, each test file in a fresh database of its own.
export default defineConfig({
  ...shared,
  test: {
    projects: [
      { ...shared, test: { ...base, name: "pglite", env: { TEST_DB: "pglite" } } },
      ...(process.env.TEST_DATABASE_URL
        ? [{ ...shared, test: { ...base, name: "postgres", env: { TEST_DB: "postgres" } } }]
        : []),
    ],
  },
});
