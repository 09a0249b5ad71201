/** `npm run db:seed`: the demo data, into the database DATABASE_URL names, when it has no users yet. */
import { createDb } from "../src/server/db";
import { seedIfEmpty } from "../src/server/seed";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set. (The embedded database seeds itself on first `npm run dev` / `npm start`.)");
  process.exit(2);
}
const { db } = createDb(url, { max: 2 });
const seeded = await seedIfEmpty(db);
console.log(seeded ? "Seeded the demo data." : "The database already has users; nothing seeded.");
await db.$disconnect();
