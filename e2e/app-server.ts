import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A second `npm start` on the production build, for specs that need settings the suite's own server
 * cannot have (strict rate limits, trusted proxies): a fresh, seeded embedded database of its own.
 * Its port is E2E_PORT + offset, so it stays in the range the suite was given.
 */
export async function startAppServer(offset: number, extraEnv: Record<string, string>) {
  // +1 is the suite's PostgreSQL server, +7 the Hook bot's service: these start at +11.
  const port = Number(process.env.E2E_PORT ?? 3100) + 10 + offset;
  const baseURL = `http://localhost:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), "pitchat-e2e-extra-"));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(DATABASE_|NEXTAUTH_|PITCHAT_|RATE_LIMIT_|TRUSTED_PROXY_HOPS$|PORT$)/.test(name)) delete env[name];
  Object.assign(env, { PORT: String(port), PITCHAT_DATA_DIR: dataDir, NEXTAUTH_URL: baseURL, ...extraEnv });
  // Its own process group, so stopping it stops the launcher, the database and Next together.
  const child = spawn("npm", ["start"], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));

  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${output}`);
    const ok = await fetch(`${baseURL}/signin`).then((res) => res.ok, () => false);
    if (ok) return { baseURL, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm start was not ready within 120 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
