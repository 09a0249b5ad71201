import { z } from "zod";

/**
 * Agent settings as stored in Agent.config and written in the bots file (PITCHAT_BOTS_FILE). Secrets
 * are never in them, only the names of the environment variables that hold them.
 */
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "must be the name of an environment variable" });
const Millis = (fallback: number) => z.number().int().min(100).max(3_600_000).default(fallback);

export const DemoAgentConfig = z.strictObject({});
export type DemoAgentConfig = z.infer<typeof DemoAgentConfig>;

export const OpenAIAgentConfig = z.strictObject({
  baseUrl: z.string().url(),
  model: z.string().min(1),
  /** The environment variable holding the API key; omit for endpoints that need none. */
  apiKeyEnv: EnvName.optional(),
  systemPrompt: z.string().max(20_000).optional(),
  /** How many earlier messages go with each request. */
  historyWindow: z.number().int().min(0).max(200).default(20),
  /** The first words must come within this. */
  firstTokenTimeoutMs: Millis(30_000),
  /** The whole reply must be done within this. */
  timeoutMs: Millis(120_000),
});
export type OpenAIAgentConfig = z.infer<typeof OpenAIAgentConfig>;

export const WebhookAgentConfig = z.strictObject({
  url: z.string().url(),
  /** The environment variable holding the signing secret (`whsec_` + base64). */
  secretEnv: EnvName,
  /** The environment variable holding the token the service presents to POST /api/bot/messages. */
  tokenEnv: EnvName.optional(),
  historyWindow: z.number().int().min(0).max(200).default(20),
  /** The service's HTTP response must come within this. */
  timeoutMs: Millis(10_000),
  /** A service that answers later must do so within this, or the message fails. */
  replyTimeoutMs: Millis(300_000),
});
export type WebhookAgentConfig = z.infer<typeof WebhookAgentConfig>;

export type AgentKind = "demo" | "openai" | "webhook";
export const AGENT_CONFIG = { demo: DemoAgentConfig, openai: OpenAIAgentConfig, webhook: WebhookAgentConfig } as const;

const Name = z.string().trim().min(1).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/i, { message: "letters, digits, '.', '_' and '-' only" });

export const BotsFile = z.strictObject({
  agents: z
    .array(
      z.discriminatedUnion("kind", [
        DemoAgentConfig.extend({ name: Name, kind: z.literal("demo") }),
        OpenAIAgentConfig.extend({ name: Name, kind: z.literal("openai") }),
        WebhookAgentConfig.extend({ name: Name, kind: z.literal("webhook") }),
      ]),
    )
    .default([]),
  bots: z
    .array(
      z.strictObject({
        name: Name,
        displayName: z.string().trim().min(1).max(80),
        agent: Name.nullable().optional(),
        description: z.string().max(500).nullable().optional(),
        avatar: z.string().max(500).nullable().optional(),
        visibility: z.enum(["public", "private"]).default("public"),
        status: z.enum(["online", "offline", "disabled"]).default("online"),
      }),
    )
    .default([]),
});
export type BotsFile = z.infer<typeof BotsFile>;
