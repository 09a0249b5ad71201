import { Webhook } from "standardwebhooks";
import { z } from "zod";
import type { WebhookAgentConfig } from "./config";
import { AgentError, type Agent, type AgentReply, type AgentRequest } from "./types";

/** What a webhook service may answer in its HTTP response: the reply, or nothing (it answers later). */
const SyncReply = z.object({ content: z.string().min(1).max(10_000), contentType: z.enum(["markdown", "text"]).optional() });

/**
 * POSTs `{ session, message, history }` to the service, signed per the Standard Webhooks spec with the
 * reference library, so any Standard Webhooks library verifies it: `webhook-id` is the dispatch id
 * (the same on every retry), `webhook-timestamp` the time of this attempt, `webhook-signature`
 * `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed by the agent's `whsec_` secret.
 *
 * The service answers `200 { content }` now, or 2xx without content and later through
 * POST /api/bot/messages. A 5xx, a time-out or a dropped connection is retried with back-off under
 * the same webhook-id; any other answer ends the reply with the reason.
 */
export function createWebhookAgent(config: WebhookAgentConfig, env: Readonly<Record<string, string | undefined>> = process.env): Agent {
  const secret = env[config.secretEnv];
  if (!secret) throw new AgentError(`The webhook agent's secret is missing (${config.secretEnv} is not set).`, { retryable: false });
  const signer = new Webhook(secret);
  return {
    contentType: "markdown",
    async *reply(request: AgentRequest): AgentReply {
      const body = JSON.stringify({
        session: request.session,
        bot: request.bot,
        message: request.message,
        history: request.history,
      });
      const timestamp = new Date();
      const timeout = AbortSignal.timeout(config.timeoutMs);
      let response: Response;
      try {
        response = await fetch(config.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "PitChat-Webhook/1",
            "webhook-id": request.dispatchId,
            "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
            "webhook-signature": signer.sign(request.dispatchId, timestamp, body),
          },
          body,
          signal: AbortSignal.any([request.signal, timeout]),
          redirect: "error",
        });
      } catch (error) {
        if (request.signal.aborted) throw request.signal.reason;
        if (timeout.aborted) {
          throw new AgentError(`The webhook service did not answer within ${config.timeoutMs / 1000} s.`, { retryable: true, cause: error });
        }
        throw new AgentError("Could not reach the webhook service.", { retryable: true, cause: error });
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        throw new AgentError(`The webhook service had an error (HTTP ${response.status}).`, { retryable: true });
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new AgentError(`The webhook service refused the message (HTTP ${response.status}).`, { retryable: false });
      }
      const text = await response.text();
      if (!text.trim()) return "later";
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new AgentError("The webhook service answered with something that is not JSON.", { retryable: false });
      }
      if (parsed && typeof parsed === "object" && !("content" in parsed)) return "later";
      const reply = SyncReply.safeParse(parsed);
      if (!reply.success) throw new AgentError("The webhook service's answer has no usable content.", { retryable: false });
      yield reply.data.content;
      return "done";
    },
  };
}
