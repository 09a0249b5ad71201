/**
 * A private copy of the production build to run against. Other work in the same tree may rebuild
 * .next at any moment (`next build` starts by deleting it), which would break a server started on
 * it mid-run. So the bench copies .next (without its caches) into a temp dir whose other entries
 * are symlinks to the project (node_modules, scripts, prisma, next.config.mjs, …), and runs
 * `npm start` there. The build is the same; only its folder is the bench's own.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { sleep, tempDir } from "./procs";

const SKIP_IN_DIST = new Set(["cache", "dev", "trace", "trace-build"]);
const SKIP_AT_ROOT = new Set([".next", ".git", "data", "test-results", "playwright-report", "blob-report"]);

function buildRunning(): boolean {
  try {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      let cmdline = "";
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      } catch {
        continue;
      }
      if (/next-build|next(\.js)?\s+build|next\/dist\/bin\/next build/.test(cmdline)) return true;
    }
  } catch {
    // no /proc: assume none
  }
  return false;
}

const readBuildId = (dist: string) => (existsSync(join(dist, "BUILD_ID")) ? readFileSync(join(dist, "BUILD_ID"), "utf8").trim() : null);

/** Waits for a build in progress, or builds when there is none; returns the BUILD_ID. */
async function ensureBuild(root: string, say: (line: string) => void): Promise<string> {
  const dist = join(root, ".next");
  for (let waited = 0; ; waited += 5) {
    const id = readBuildId(dist);
    if (id && !buildRunning()) return id;
    if (!buildRunning()) break;
    if (waited % 60 === 0) say("a `next build` is running in the tree: waiting for it to finish …");
    if (waited > 900) throw new Error("gave up waiting for another `next build` to finish");
    await sleep(5_000);
  }
  say("no production build (.next/BUILD_ID missing): running `npx next build` …");
  const result = spawnSync("npx", ["next", "build"], { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  const id = readBuildId(dist);
  if (result.status !== 0 || !id) throw new Error("next build failed");
  return id;
}

export async function snapshotBuild(root: string, say: (line: string) => void): Promise<{ dir: string; buildId: string }> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const buildId = await ensureBuild(root, say);
    const dir = await tempDir("pitchat-bench-app-");
    try {
      cpSync(join(root, ".next"), join(dir, ".next"), {
        recursive: true,
        verbatimSymlinks: true,
        filter: (src) => !SKIP_IN_DIST.has(src.slice(join(root, ".next").length + 1).split("/")[0]!),
      });
      if (readBuildId(join(dir, ".next")) === buildId && readBuildId(join(root, ".next")) === buildId) {
        for (const entry of readdirSync(root)) {
          if (!SKIP_AT_ROOT.has(entry)) symlinkSync(join(root, entry), join(dir, entry));
        }
        return { dir, buildId };
      }
    } catch {
      // the build changed under the copy: try again
    }
    say(`the build changed while it was being copied (attempt ${attempt}); retrying …`);
    await sleep(5_000);
  }
  throw new Error("could not take a stable copy of .next");
}
