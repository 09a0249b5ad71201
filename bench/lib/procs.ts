/**
 * Child processes, temp dirs and their cleanup. Every server and cluster the bench starts is
 * registered here and stopped on normal exit, on error, and on SIGINT/SIGTERM, so nothing outlives
 * a run. Children are started in their own process group, so `npm start` → tsx → node → next are
 * stopped together.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Cleanup = { name: string; async: () => Promise<void>; sync: () => void };

const cleanups: Cleanup[] = [];

/** Registers a resource; returns a function that releases it now (idempotent). */
export function onCleanup(name: string, release: () => Promise<void>, releaseSync: () => void): () => Promise<void> {
  let done = false;
  const entry: Cleanup = {
    name,
    async: async () => {
      if (done) return;
      done = true;
      await release();
    },
    sync: () => {
      if (done) return;
      done = true;
      releaseSync();
    },
  };
  cleanups.push(entry);
  return async () => {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
    await entry.async();
  };
}

/** Releases everything still registered, newest first. */
export async function cleanupAll(): Promise<void> {
  while (cleanups.length) {
    const entry = cleanups.pop()!;
    try {
      await entry.async();
    } catch (error) {
      console.error(`cleanup of ${entry.name} failed: ${(error as Error).message}`);
    }
  }
}

function cleanupAllSync(): void {
  while (cleanups.length) {
    const entry = cleanups.pop()!;
    try {
      entry.sync();
    } catch {
      // best effort at exit
    }
  }
}

let installed = false;
/** Signal and exit handlers: whatever happens, registered resources are released. */
export function installExitHandlers(): void {
  if (installed) return;
  installed = true;
  process.on("exit", cleanupAllSync);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping servers and clusters…`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
  process.on("uncaughtException", (error) => {
    console.error("uncaught:", error);
    void cleanupAll().finally(() => process.exit(1));
  });
  process.on("unhandledRejection", (error) => {
    console.error("unhandled rejection:", error);
    void cleanupAll().finally(() => process.exit(1));
  });
}

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onCleanup(`temp dir ${dir}`, async () => rmSync(dir, { recursive: true, force: true }), () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Child = {
  name: string;
  proc: ChildProcess;
  logFile: string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop: () => Promise<void>;
  /** Stops the whole process group where it is (SIGSTOP), until resume (SIGCONT). */
  pause: () => void;
  resume: () => void;
};

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Starts a command in its own process group, output to logFile; registered for cleanup. */
export function startChild(name: string, command: string, args: string[], options: { env: Record<string, string | undefined>; cwd?: string; logFile: string }): Child {
  mkdirSync(join(options.logFile, ".."), { recursive: true });
  const log = createWriteStream(options.logFile);
  const proc = spawn(command, args, { cwd: options.cwd, env: options.env as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout!.pipe(log, { end: false });
  proc.stderr!.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const pid = proc.pid!;
  const stop = onCleanup(
    name,
    async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        killGroup(pid, "SIGTERM");
        // A paused group acts on SIGTERM only once it runs again.
        killGroup(pid, "SIGCONT");
        const timeout = sleep(10_000).then(() => "timeout");
        if ((await Promise.race([exited, timeout])) === "timeout") killGroup(pid, "SIGKILL");
      }
      // Grandchildren that ignored SIGTERM (or outlived their parent) go too.
      killGroup(pid, "SIGKILL");
      log.end();
    },
    () => {
      killGroup(pid, "SIGTERM");
      killGroup(pid, "SIGKILL");
    },
  );
  const running = () => proc.exitCode === null && proc.signalCode === null;
  return {
    name,
    proc,
    logFile: options.logFile,
    exited,
    stop,
    pause: () => running() && killGroup(pid, "SIGSTOP"),
    resume: () => running() && killGroup(pid, "SIGCONT"),
  };
}

/** Polls `probe` until it returns true; fails early if the child exits, or after timeoutMs. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, options: { timeoutMs: number; intervalMs?: number; child?: Child }): Promise<number> {
  const start = performance.now();
  let exitCode: number | null | undefined;
  void options.child?.exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${what}: ${options.child!.name} exited with code ${exitCode} (log: ${options.child!.logFile})`);
    try {
      if (await probe()) return performance.now() - start;
    } catch {
      // not up yet
    }
    if (performance.now() - start > options.timeoutMs) throw new Error(`${what}: not ready after ${options.timeoutMs} ms${options.child ? ` (log: ${options.child.logFile})` : ""}`);
    await sleep(options.intervalMs ?? 100);
  }
}
