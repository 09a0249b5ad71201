/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, recorded as prisma migrate deploy records them. */
import { setUpDatabase } from "../src/server/setup";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set. (The embedded database migrates itself on `npm run dev` / `npm start`.)");
  process.exit(2);
}
const { applied, alreadyApplied } = await setUpDatabase(url);
console.log(applied.length ? `Applied: ${applied.join(", ")}` : "No pending migrations.", `(${alreadyApplied} already applied)`);
