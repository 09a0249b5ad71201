import { defineConfig } from "prisma/config";

// The CLI reads DATABASE_URL only for commands that talk to a database (migrate deploy, studio);
// `prisma generate` needs none.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx scripts/seed.ts" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/pitchat" },
});
