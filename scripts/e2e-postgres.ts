/**
 * The browser suite's PostgreSQL server (playwright.config.ts starts it when TEST_DATABASE_URL is
 * set): a fresh database on that server, migrated and seeded with the demo data, served by
 * `npm start` on PORT. Stopping it (SIGTERM, as Playwright does) stops the server and drops the
 * database.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { createDb } from "../src/server/db";
import { setUpDatabase } from "../src/server/setup";
import { seedIfEmpty } from "../src/server/seed";
import { createScratchDatabase } from "../src/test/databases";

const adminUrl = process.env.TEST_DATABASE_URL;
if (!adminUrl) {
  console.error("TEST_DATABASE_URL must name a PostgreSQL server");
  process.exit(2);
}
const { name, url, drop } = await createScratchDatabase(adminUrl, "pitchat_e2e");
await setUpDatabase(url);
const { db } = createDb(url, { max: 1 });
await seedIfEmpty(db);
await db.$disconnect();
console.log(`e2e: PostgreSQL database ${name}, migrated and seeded`);

const tsx = createRequire(import.meta.url).resolve("tsx/cli");
const child = spawn(process.execPath, [tsx, "scripts/run.ts", "start"], {
  stdio: "inherit",
  env: { ...process.env, DATABASE_URL: url, NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? randomBytes(32).toString("base64url") },
});

const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  child.kill("SIGTERM");
  await exited;
  await drop().catch((error: Error) => console.error(`e2e: could not drop ${name}: ${error.message}`));
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop(0));
void exited.then((code) => stop(code ?? 1));
