import type { Message } from "@/shared";

/** What an agent is given: the conversation so far and the user's message to answer. */
export type AgentRequest = {
  /** Stable across retries: the Standard Webhooks `webhook-id`, and an idempotency key for services. */
  dispatchId: string;
  session: { id: string; title: string };
  bot: { id: string; name: string; displayName: string };
  message: Message;
  /** Oldest first, before `message`, at most the agent's history window. */
  history: Message[];
  /** Aborted when the user stops the reply, or the server shuts down. */
  signal: AbortSignal;
};

/**
 * Yields the reply's text in pieces as the agent produces them. Returns "later" when the agent's
 * service took the message and will answer through POST /api/bot/messages instead.
 */
export type AgentReply = AsyncGenerator<string, "done" | "later", void>;

export interface Agent {
  readonly contentType: "markdown" | "text";
  reply(request: AgentRequest): AgentReply;
}

/**
 * An agent that could not answer, with a reason a user can read. `retryable` failures (a service
 * down for a moment) go back to the queue with back-off; the others end the dispatch at once.
 */
export class AgentError extends Error {
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "AgentError";
    this.retryable = options.retryable;
  }
}

/** Waits `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
