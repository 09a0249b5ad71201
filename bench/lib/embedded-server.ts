/**
 * One embedded database for bench/embedded.ts, in a process of its own as under `npm start` (where
 * scripts/run.ts holds PGlite and Next runs in a child): PGlite on EDB_DATA_DIR, served on EDB_PORT
 * by either our server (`EDB_KIND=proxy`, src/server/pglite-server.ts, as `npm start` runs it) or
 * the pglite-socket 0.2.17 server the app used before (`EDB_KIND=pglite-socket`, with
 * EDB_MAX_CONNECTIONS), migrated and seeded. Prints "ready" when it serves, and the server's stats
 * on SIGTERM (ours only).
 */
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { createDb } from "../../src/server/db";
import { startEmbeddedDb } from "../../src/server/embedded-db";
import { migrate } from "../../src/server/migrations";
import { seedIfEmpty } from "../../src/server/seed";

const kind = process.env.EDB_KIND;
const port = Number(process.env.EDB_PORT);
const dataDir = process.env.EDB_DATA_DIR!;
const maxConnections = Number(process.env.EDB_MAX_CONNECTIONS ?? 100);

let stop: () => Promise<void>;
let stats: () => unknown = () => undefined;
if (kind === "proxy") {
  const embedded = await startEmbeddedDb({ dataDir, port, maxConnections });
  stop = embedded.stop;
  stats = embedded.stats;
} else if (kind === "pglite-socket") {
  const db = new PGlite(join(dataDir, "pglite"));
  await db.waitReady;
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port, maxConnections });
  await server.start();
  stop = async () => {
    await server.stop();
    await db.close();
  };
} else {
  throw new Error(`EDB_KIND must be proxy or pglite-socket, not ${kind}`);
}
const url = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
await migrate(url);
const { db } = createDb(url, { max: 1 });
await seedIfEmpty(db);
await db.$disconnect();
console.log(`ready ${kind} on ${port} (limit ${maxConnections})`);

process.on("SIGTERM", () => {
  console.log(`stats ${JSON.stringify(stats())}`);
  void stop().finally(() => process.exit(0));
});
