import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** `npm start` as an operator runs it, with this environment; its exit code and what it printed. */
function start(extra: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(DATABASE_|NEXTAUTH_|PITCHAT_|PORT$)/.test(name)) delete env[name];
  // Nothing listens on port 1: if the launcher got as far as the database, it fails fast there.
  Object.assign(env, { DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none", PORT: "1", ...extra });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/run.ts", "start"], { cwd: root, env });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

const SECRET = "a-secret-of-at-least-sixteen-characters";

describe("npm start with an external database", () => {
  it("refuses to start without NEXTAUTH_URL, saying why", async () => {
    const { code, output } = await start({ NEXTAUTH_SECRET: SECRET });
    expect(code).toBe(1);
    expect(output).toContain("NEXTAUTH_URL is required with an external DATABASE_URL");
    expect(output).not.toContain("Ready on");
  });

  it("refuses to start without NEXTAUTH_SECRET, saying why", async () => {
    const { code, output } = await start({ NEXTAUTH_URL: "https://chat.example.com" });
    expect(code).toBe(1);
    expect(output).toContain("NEXTAUTH_SECRET is required with an external DATABASE_URL");
  });

  it("goes past both checks when both are set", async () => {
    const { code, output } = await start({ NEXTAUTH_URL: "https://chat.example.com", NEXTAUTH_SECRET: SECRET });
    // It stops later, at the missing build or the unreachable database, never at these two.
    expect(code).toBe(1);
    expect(output).not.toContain("is required");
    expect(output).toMatch(/No production build found|Database setup failed/);
  });
});
