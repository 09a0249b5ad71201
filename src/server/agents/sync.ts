import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Db } from "../db";
import { BotsFile } from "./config";

/** The token a webhook service presents, as stored: only its SHA-256 is kept. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A configuration the server must not start with: the message names where and what. */
export class BotsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BotsConfigError";
  }
}

/**
 * The bots file (PITCHAT_BOTS_FILE) plus the common case in one env block (OPENAI_BASE_URL,
 * OPENAI_MODEL and usually OPENAI_API_KEY: a public bot "Assistant" on that endpoint), validated
 * whole before anything is written.
 */
export async function readBotsConfig(env: Readonly<Record<string, string | undefined>>): Promise<BotsFile> {
  let file: BotsFile = { agents: [], bots: [] };
  const path = env.PITCHAT_BOTS_FILE;
  if (path) {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, "utf8"));
    } catch (error) {
      throw new BotsConfigError(`PITCHAT_BOTS_FILE ${path}: ${(error as Error).message}`);
    }
    const parsed = BotsFile.safeParse(raw);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "(file)"}: ${issue.message}`);
      throw new BotsConfigError(`PITCHAT_BOTS_FILE ${path} is not valid:\n${lines.join("\n")}`);
    }
    file = parsed.data;
  }
  if (env.OPENAI_BASE_URL || env.OPENAI_MODEL) {
    if (!env.OPENAI_BASE_URL || !env.OPENAI_MODEL) {
      throw new BotsConfigError("Set both OPENAI_BASE_URL and OPENAI_MODEL (and OPENAI_API_KEY if the endpoint needs one) for the Assistant bot.");
    }
    const fromEnv = BotsFile.safeParse({
      agents: [{
        name: "assistant", kind: "openai", baseUrl: env.OPENAI_BASE_URL, model: env.OPENAI_MODEL,
        ...(env.OPENAI_API_KEY ? { apiKeyEnv: "OPENAI_API_KEY" } : {}),
        ...(env.OPENAI_SYSTEM_PROMPT ? { systemPrompt: env.OPENAI_SYSTEM_PROMPT } : {}),
      }],
      bots: [{ name: "assistant", displayName: "Assistant", agent: "assistant", description: `${env.OPENAI_MODEL}, ready to help.`, avatar: "/avatars/assistant.svg" }],
    });
    if (!fromEnv.success) {
      throw new BotsConfigError(`OPENAI_BASE_URL / OPENAI_MODEL: ${fromEnv.error.issues.map((i) => i.message).join("; ")}`);
    }
    file = { agents: [...file.agents, ...fromEnv.data.agents], bots: [...file.bots, ...fromEnv.data.bots] };
  }
  const source = [path && `PITCHAT_BOTS_FILE ${path}`, env.OPENAI_BASE_URL && "the OPENAI_* variables"].filter(Boolean).join(" and ");
  const problem = (message: string) => new BotsConfigError(`${source}: ${message}`);
  const agentNames = new Set<string>();
  for (const agent of file.agents) {
    if (agentNames.has(agent.name)) throw problem(`agent "${agent.name}" is defined twice`);
    agentNames.add(agent.name);
    for (const key of ["apiKeyEnv", "secretEnv", "tokenEnv"] as const) {
      const name = (agent as Record<string, unknown>)[key];
      if (typeof name === "string" && !env[name]) throw problem(`agent "${agent.name}": ${key} names ${name}, which is not set`);
    }
    if (agent.kind === "webhook" && !env[agent.secretEnv]!.startsWith("whsec_")) {
      throw problem(`agent "${agent.name}": ${agent.secretEnv} must be a Standard Webhooks secret (whsec_ followed by base64)`);
    }
  }
  const botNames = new Set<string>();
  for (const bot of file.bots) {
    if (botNames.has(bot.name)) throw problem(`bot "${bot.name}" is defined twice`);
    botNames.add(bot.name);
    if (bot.agent && !agentNames.has(bot.agent)) throw problem(`bot "${bot.name}": agent "${bot.agent}" is not defined in the file`);
  }
  return file;
}

/**
 * Writes the configuration: agents and bots upserted by name (an entry removed from the file is left
 * as it is, with its history). Secrets stay in the environment; a webhook agent's reply token is
 * stored as its SHA-256. One statement per row, each an atomic upsert, so instances starting together
 * agree.
 */
export async function syncBots(db: Db, config: BotsFile, env: Readonly<Record<string, string | undefined>>): Promise<{ agents: number; bots: number }> {
  const agentIds = new Map<string, string>();
  for (const agent of config.agents) {
    const { name, kind, ...settings } = agent;
    const tokenEnv = "tokenEnv" in agent ? agent.tokenEnv : undefined;
    const tokenHash = tokenEnv ? hashToken(env[tokenEnv]!) : null;
    const [row] = await db.$queryRaw<{ id: string }[]>`
      INSERT INTO "Agent" (id, name, kind, config, "tokenHash", "createdAt", "updatedAt")
      VALUES (${`agent_${name}`}, ${name}, ${kind}::"AgentKind", ${JSON.stringify(settings)}::jsonb, ${tokenHash}, now(), now())
      ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, config = EXCLUDED.config, "tokenHash" = EXCLUDED."tokenHash", "updatedAt" = now()
      RETURNING id`;
    agentIds.set(name, row!.id);
  }
  for (const bot of config.bots) {
    const agentId = bot.agent ? agentIds.get(bot.agent)! : null;
    await db.$executeRaw`
      INSERT INTO "Bot" (id, name, "displayName", description, avatar, visibility, status, "agentId", "createdAt", "updatedAt")
      VALUES (${`bot_${bot.name}`}, ${bot.name}, ${bot.displayName}, ${bot.description ?? null}, ${bot.avatar ?? null},
        ${bot.visibility}::"BotVisibility", ${bot.status}::"BotStatus", ${agentId}, now(), now())
      ON CONFLICT (name) DO UPDATE SET "displayName" = EXCLUDED."displayName", description = EXCLUDED.description,
        avatar = EXCLUDED.avatar, visibility = EXCLUDED.visibility, status = EXCLUDED.status, "agentId" = EXCLUDED."agentId",
        "updatedAt" = now()`;
    // API.md: disabling a bot pauses its active sessions; enabling it again resumes them.
    if (bot.status === "disabled") {
      await db.$executeRaw`UPDATE "ChatSession" SET status = 'paused' WHERE "botId" = (SELECT id FROM "Bot" WHERE name = ${bot.name}) AND status = 'active'`;
    } else {
      await db.$executeRaw`UPDATE "ChatSession" SET status = 'active' WHERE "botId" = (SELECT id FROM "Bot" WHERE name = ${bot.name}) AND status = 'paused'`;
    }
  }
  return { agents: config.agents.length, bots: config.bots.length };
}
