import OpenAI from "openai";
import type { Message } from "@/shared";
import type { OpenAIAgentConfig } from "./config";
import { AgentError, type Agent, type AgentReply, type AgentRequest } from "./types";

type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

/** The request's conversation as chat messages: system prompt, the history window, the message. */
export function chatMessages(config: Pick<OpenAIAgentConfig, "systemPrompt">, history: Message[], message: Message): ChatMessage[] {
  const turns: ChatMessage[] = history.map((m) => ({ role: m.senderType === "bot" ? "assistant" : "user", content: m.content }));
  return [
    ...(config.systemPrompt ? [{ role: "system" as const, content: config.systemPrompt }] : []),
    ...turns,
    { role: "user", content: message.content },
  ];
}

/**
 * Any OpenAI-compatible `POST {baseUrl}/chat/completions` with `stream: true`, through the official
 * client (it parses the SSE chunks). The client's own retries are off: the job queue retries with
 * back-off, and a retried reply starts its text over. Time-outs: one for the first words, one for the
 * whole reply; either ends the reply with a readable reason.
 */
export function createOpenAIAgent(config: OpenAIAgentConfig, env: Readonly<Record<string, string | undefined>> = process.env): Agent {
  const client = new OpenAI({
    baseURL: config.baseUrl,
    // Local servers often need no key; the client insists on one.
    apiKey: (config.apiKeyEnv && env[config.apiKeyEnv]) || "no-key",
    maxRetries: 0,
    timeout: config.timeoutMs,
  });
  return {
    contentType: "markdown",
    async *reply(request: AgentRequest): AgentReply {
      const deadline = new AbortController();
      let reason: string | null = null;
      const expire = (why: string) => () => {
        reason = why;
        deadline.abort(new Error(why));
      };
      const firstWords = setTimeout(expire(`The model did not start answering within ${seconds(config.firstTokenTimeoutMs)}.`), config.firstTokenTimeoutMs);
      const whole = setTimeout(expire(`The model's reply took longer than ${seconds(config.timeoutMs)}.`), config.timeoutMs);
      const signal = AbortSignal.any([request.signal, deadline.signal]);
      let finished = false;
      let started = false;
      try {
        const stream = await client.chat.completions.create(
          { model: config.model, messages: chatMessages(config, request.history, request.message), stream: true },
          { signal },
        );
        for await (const chunk of stream) {
          const choice = chunk.choices?.[0];
          const piece = choice?.delta?.content;
          if (piece) {
            clearTimeout(firstWords);
            started = true;
            yield piece;
          }
          if (choice?.finish_reason) finished = true;
        }
      } catch (error) {
        if (request.signal.aborted) throw request.signal.reason;
        if (reason) throw new AgentError(reason, { retryable: false, cause: error });
        throw describe(error, started);
      } finally {
        clearTimeout(firstWords);
        clearTimeout(whole);
      }
      // An abort can end the stream quietly instead of throwing.
      if (request.signal.aborted) throw request.signal.reason;
      if (reason) throw new AgentError(reason, { retryable: false });
      if (!finished) throw new AgentError(CUT_SHORT, { retryable: false });
      return "done";
    },
  };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

const CUT_SHORT = "The model's stream ended before the reply was complete.";

/**
 * The client's errors as reasons a user can read. A server error, or a connection that failed before
 * any words, is retried; a stream that broke midway is not (its words are kept with the reason).
 */
function describe(error: unknown, started: boolean): AgentError {
  if (error instanceof SyntaxError) {
    return new AgentError("The model's endpoint sent a malformed reply.", { retryable: false, cause: error });
  }
  if (started && !(error instanceof OpenAI.APIError && typeof error.status === "number")) {
    return new AgentError(CUT_SHORT, { retryable: false, cause: error });
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new AgentError("Could not reach the model's endpoint.", { retryable: true, cause: error });
  }
  if (error instanceof OpenAI.APIError && typeof error.status === "number") {
    const retryable = error.status === 429 || error.status >= 500;
    const what = error.status === 429 ? "is busy (rate limited)" : error.status >= 500 ? "had an error" : "refused the request";
    return new AgentError(`The model's endpoint ${what} (HTTP ${error.status}).`, { retryable, cause: error });
  }
  return new AgentError("The model's endpoint failed.", { retryable: false, cause: error });
}
