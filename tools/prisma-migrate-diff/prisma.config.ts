// Prisma 6 config of the offline diff tool (the app itself uses Prisma 7 and /work/main/prisma.config.ts).
//
// `engine: "js"` selects the WASM schema engine that ships inside the `prisma` npm package, so
// the CLI downloads nothing. That engine always talks through a driver adapter: with
// PMD_DATABASE_URL set it is @prisma/adapter-pg on that database; without it, an offline adapter
// that is enough for `migrate diff` between datamodels / from empty (see adapters.mjs).
// No `schema` here: diff.mjs always passes the (Prisma-6-adapted) schema file explicitly.
import { defineConfig } from "prisma/config";
import { offlineAdapterFactory, pgAdapterFactory } from "./adapters.mjs";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    const url = process.env.PMD_DATABASE_URL;
    return (url ? pgAdapterFactory(url) : offlineAdapterFactory()) as never;
  },
});
