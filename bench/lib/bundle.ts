/**
 * First-load JavaScript of a route, from the production build in .next: the JS chunks a browser
 * loads for its first visit (the framework's root main files plus the chunks of the route's
 * layouts and page), each gzipped at level 9 (as Next's own "First Load JS" and gzip-size do), summed.
 *
 * Next 16 lists these chunks per route in .next/diagnostics/route-bundle-stats.json; the bench
 * reads that, and cross-checks it against the route's client reference manifest (entryJSFiles)
 * plus build-manifest.json's rootMainFiles, which is how the list is found when the first is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";

export type FirstLoad = {
  route: string;
  found: boolean;
  source?: string;
  gzipBytes?: number;
  rawBytes?: number;
  files?: { file: string; raw: number; gzip: number }[];
  crossCheck?: string;
};

function fromRouteStats(dist: string, route: string): string[] | null {
  const file = join(dist, "diagnostics", "route-bundle-stats.json");
  if (!existsSync(file)) return null;
  const stats = JSON.parse(readFileSync(file, "utf8")) as { route: string; firstLoadChunkPaths: string[] }[];
  const entry = stats.find((s) => s.route === route);
  return entry ? entry.firstLoadChunkPaths.map((p) => p.replace(/^\.next\//, "")) : null;
}

function fromManifests(dist: string, route: string): string[] | null {
  const routes = JSON.parse(readFileSync(join(dist, "app-path-routes-manifest.json"), "utf8")) as Record<string, string>;
  const page = Object.keys(routes).find((k) => routes[k] === route && k.endsWith("/page"));
  if (!page) return null;
  const manifestFile = join(dist, "server", "app", `${page}_client-reference-manifest.js`);
  if (!existsSync(manifestFile)) return null;
  const sandbox = { globalThis: {} as Record<string, unknown> };
  runInNewContext(readFileSync(manifestFile, "utf8"), sandbox);
  const all = (sandbox.globalThis.__RSC_MANIFEST ?? {}) as Record<string, { entryJSFiles?: Record<string, string[]> }>;
  const manifest = all[page];
  if (!manifest?.entryJSFiles) return null;
  const build = JSON.parse(readFileSync(join(dist, "build-manifest.json"), "utf8")) as { rootMainFiles?: string[] };
  return [...new Set([...Object.values(manifest.entryJSFiles).flat(), ...(build.rootMainFiles ?? [])])];
}

export function firstLoadJs(route: string, dist = join(process.cwd(), ".next")): FirstLoad {
  const stats = fromRouteStats(dist, route);
  let manifests: string[] | null = null;
  try {
    manifests = fromManifests(dist, route);
  } catch {
    manifests = null;
  }
  const chosen = stats ?? manifests;
  if (!chosen) return { route, found: false };
  const files = chosen
    .filter((f) => f.endsWith(".js"))
    .map((file) => {
      const bytes = readFileSync(join(dist, file));
      return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
  let crossCheck: string | undefined;
  if (stats && manifests) {
    const a = [...new Set(stats)].sort().join();
    const b = [...new Set(manifests)].sort().join();
    crossCheck = a === b ? "route-bundle-stats.json and the client reference manifest agree" : "route-bundle-stats.json and the client reference manifest list different chunks";
  }
  return {
    route,
    found: true,
    source: stats ? ".next/diagnostics/route-bundle-stats.json" : "client reference manifest entryJSFiles + build-manifest rootMainFiles",
    gzipBytes: files.reduce((s, f) => s + f.gzip, 0),
    rawBytes: files.reduce((s, f) => s + f.raw, 0),
    files,
    crossCheck,
  };
}
