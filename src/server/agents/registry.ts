import { AGENT_CONFIG, type AgentKind } from "./config";
import { createDemoAgent } from "./demo";
import { createOpenAIAgent } from "./openai";
import { AgentError, type Agent } from "./types";
import { createWebhookAgent } from "./webhook";

export type AgentRecord = { id: string; name: string; kind: AgentKind; config: unknown };

export type AgentSettings = {
  /** The demo agent's pause between words. */
  demoWordDelayMs: number;
  /** How long the demo agent's /slow reply takes. */
  demoSlowMs: number;
};

/** The agent an Agent row describes; a row whose config does not parse fails the reply, readably. */
export function agentFor(record: AgentRecord, settings: AgentSettings): Agent {
  const parsed = AGENT_CONFIG[record.kind].safeParse(record.config ?? {});
  if (!parsed.success) {
    throw new AgentError(`This bot's agent "${record.name}" is misconfigured; ask an operator to fix it.`, { retryable: false });
  }
  switch (record.kind) {
    case "demo":
      return createDemoAgent({ wordDelayMs: settings.demoWordDelayMs, slowTotalMs: settings.demoSlowMs });
    case "openai":
      return createOpenAIAgent(AGENT_CONFIG.openai.parse(record.config));
    case "webhook":
      return createWebhookAgent(AGENT_CONFIG.webhook.parse(record.config));
  }
}

/** How many earlier messages an agent sees. */
export function historyWindow(record: AgentRecord): number {
  const config = record.config as { historyWindow?: unknown } | null;
  return typeof config?.historyWindow === "number" ? config.historyWindow : record.kind === "demo" ? 0 : 20;
}
