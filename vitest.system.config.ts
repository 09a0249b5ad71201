import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * System tests (system/): real production instances, killed and restarted, behind a real balancer.
 * They need the build (`next build`) and run one file at a time: each starts servers of its own.
 */
export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  test: {
    include: ["system/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
