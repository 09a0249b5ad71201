/**
 * Bots configured without code: the bots file (PITCHAT_BOTS_FILE) and the OPENAI_* env block,
 * validated whole (a bad file names its path and the problem), upserted by name on a real database,
 * secrets only ever named.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { callerFor, createUser } from "@/test/fixtures";
import { hashToken, readBotsConfig, syncBots } from "./sync";

let t: TestDatabase;
let dir: string;
beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "pitchat-bots-"));
});
afterAll(async () => {
  await t?.close();
});

const env = {
  GPT_API_KEY: "sk-secret",
  HOOK_SECRET: `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`,
  HOOK_TOKEN: "token-for-replies",
};

async function fileWith(content: unknown): Promise<string> {
  const path = join(dir, `bots-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const example = {
  agents: [
    { name: "gpt", kind: "openai", baseUrl: "https://llm.example/v1", model: "m-1", apiKeyEnv: "GPT_API_KEY", systemPrompt: "Be kind.", historyWindow: 10, timeoutMs: 60000 },
    { name: "hook", kind: "webhook", url: "https://hooks.example/in", secretEnv: "HOOK_SECRET", tokenEnv: "HOOK_TOKEN", timeoutMs: 10000 },
  ],
  bots: [
    { name: "gpt", displayName: "GPT", agent: "gpt", description: "A model", visibility: "public" },
    { name: "hook", displayName: "Hook", agent: "hook" },
  ],
};

describe("the bots file", () => {
  it("creates the agents and bots, then updates them by name without touching their history", async () => {
    const path = await fileWith(example);
    const config = await readBotsConfig({ ...env, PITCHAT_BOTS_FILE: path });
    expect(await syncBots(t.db, config, env)).toEqual({ agents: 2, bots: 2 });
    const hook = await t.db.agent.findUniqueOrThrow({ where: { name: "hook" } });
    expect(hook).toMatchObject({ kind: "webhook", tokenHash: hashToken("token-for-replies") });
    // Only the names of secrets are stored.
    expect(JSON.stringify(await t.db.agent.findMany())).not.toMatch(/sk-secret|whsec_|token-for-replies/);

    const user = await createUser(t.db);
    const caller = callerFor(t.db, user);
    const gptBot = (await caller.bot.list({ query: "GPT" })).bots[0]!;
    expect(gptBot).toMatchObject({ displayName: "GPT", description: "A model", status: "online" });
    const { session } = await caller.chat.createSession({ botId: gptBot.id });
    await caller.chat.sendMessage({ sessionId: session.id, content: "kept" });

    const renamed = { ...example, bots: [{ ...example.bots[0]!, displayName: "GPT-2" }], agents: [{ ...example.agents[0]!, model: "m-2" }] };
    await syncBots(t.db, await readBotsConfig({ ...env, PITCHAT_BOTS_FILE: await fileWith(renamed) }), env);
    expect(await t.db.bot.findUniqueOrThrow({ where: { name: "gpt" } })).toMatchObject({ id: gptBot.id, displayName: "GPT-2" });
    expect((await t.db.agent.findUniqueOrThrow({ where: { name: "gpt" } })).config).toMatchObject({ model: "m-2" });
    // The entry dropped from the file ("hook") is still there, and so is the chat.
    expect(await t.db.bot.findUnique({ where: { name: "hook" } })).not.toBeNull();
    expect((await caller.chat.listMessages({ sessionId: session.id })).messages.map((m) => m.content)).toEqual(["kept"]);
  });

  it.each([
    ["not JSON", "{ nope", /bots-.*\.json: .*JSON/],
    ["an unknown kind", { agents: [{ name: "x", kind: "telepathy" }] }, /agents\.0\.kind/],
    ["a bad URL", { agents: [{ name: "x", kind: "openai", baseUrl: "not a url", model: "m" }] }, /agents\.0\.baseUrl/],
    ["a secret inline", { agents: [{ name: "x", kind: "webhook", url: "https://h.example", secretEnv: "HOOK_SECRET", secret: "whsec_x" }] }, /agents\.0/],
    ["an unset env var", { agents: [{ name: "x", kind: "openai", baseUrl: "https://a.example/v1", model: "m", apiKeyEnv: "NOT_SET_ANYWHERE" }] }, /apiKeyEnv names NOT_SET_ANYWHERE, which is not set/],
    ["a bot without its agent", { bots: [{ name: "b", displayName: "B", agent: "ghost" }] }, /agent "ghost" is not defined/],
  ])("stops with the path and the problem for %s", async (_, content, message) => {
    const path = await fileWith(content);
    const error = await readBotsConfig({ ...env, PITCHAT_BOTS_FILE: path }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(path.split("/").pop());
  });
});

describe("the OPENAI_* env block", () => {
  it("makes a public bot Assistant on that endpoint", async () => {
    const blockEnv = { OPENAI_BASE_URL: "https://llm.example/v1", OPENAI_API_KEY: "sk-x", OPENAI_MODEL: "model-9" };
    const config = await readBotsConfig(blockEnv);
    await syncBots(t.db, config, blockEnv);
    expect(await t.db.bot.findUniqueOrThrow({ where: { name: "assistant" }, include: { agent: true } })).toMatchObject({
      displayName: "Assistant", visibility: "public", agent: { kind: "openai", config: { baseUrl: "https://llm.example/v1", model: "model-9", apiKeyEnv: "OPENAI_API_KEY" } },
    });
  });

  it("asks for the missing half", async () => {
    await expect(readBotsConfig({ OPENAI_BASE_URL: "https://llm.example/v1" })).rejects.toThrow(/OPENAI_MODEL/);
  });
});
