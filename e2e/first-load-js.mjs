#!/usr/bin/env node
/**
 * First-load JavaScript of an app route, gzip, from the production build's manifests
 * (BUDGETS.md: /chat/[sessionId] ≤ 180 kB). Counts the root main chunks plus every chunk the
 * route's client-reference manifest lists for its segments (layouts, page, error/not-found
 * boundaries); lazy chunks (dynamic import(), e.g. the code highlighter) are not first load.
 *
 *   node e2e/first-load-js.mjs [route=/chat/[sessionId]] [budgetKb=180]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const route = process.argv[2] ?? "/chat/[sessionId]";
const budgetKb = Number(process.argv[3] ?? 180);
const next = join(process.cwd(), ".next");
const page = join(next, "server/app", route, "page");

const build = JSON.parse(readFileSync(join(page, "build-manifest.json"), "utf8"));
globalThis.self = globalThis;
await import(join(next, "server/app", `${route}/page_client-reference-manifest.js`));
const manifest = globalThis.__RSC_MANIFEST[`${route}/page`];

const files = new Set(build.rootMainFiles);
for (const chunks of Object.values(manifest.entryJSFiles)) for (const f of chunks) files.add(f);

let raw = 0;
let gzip = 0;
for (const file of files) {
  const bytes = readFileSync(join(next, file));
  raw += bytes.length;
  gzip += gzipSync(bytes, { level: 9 }).length;
}
// kB as Next.js reports bundle sizes: 1,000 bytes.
const kb = (n) => (n / 1000).toFixed(1);
console.log(`${route}: ${files.size} chunks, ${kb(raw)} kB raw, ${kb(gzip)} kB gzip (budget ${budgetKb} kB)`);
if (gzip > budgetKb * 1000) {
  console.error("over budget");
  process.exit(1);
}
