/** A bot's reply stored the way a webhook service's later reply is: through the product's own path. */
import { randomUUID } from "node:crypto";
import { storeWholeReply } from "@/server/chat/replies";
import { TRANSACTION, type Db } from "@/server/db";
import type { Message } from "@/shared";
import { chatDepsFor } from "./db";

type Reply = { sessionId: string; bot: { id: string; agentId: string | null }; content: string; replyTo?: string };

/**
 * Stores `content` as the bot's reply to `replyTo` (default: the session's newest user message):
 * a dispatch of that message to the bot's agent, answered at once.
 */
export async function storeBotReply(db: Db, reply: Reply): Promise<Message> {
  if (!reply.bot.agentId) throw new Error("storeBotReply needs a bot with an agent");
  const [source] = reply.replyTo
    ? [{ id: reply.replyTo }]
    : await db.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Message" WHERE "sessionId" = ${reply.sessionId} AND "senderType" = 'user' ORDER BY seq DESC LIMIT 1`;
  if (!source) throw new Error("storeBotReply needs a user message to answer");
  const dispatchId = randomUUID();
  await db.$transaction([
    db.$executeRaw`
      INSERT INTO "Dispatch" (id, "sessionId", "messageId", "userId", "agentId", status)
      SELECT ${dispatchId}, s.id, ${source.id}, s."userId", ${reply.bot.agentId}, 'waiting' FROM "ChatSession" s WHERE s.id = ${reply.sessionId}`,
    db.$executeRaw`UPDATE "ChatSession" SET "pendingReplies" = "pendingReplies" + 1 WHERE id = ${reply.sessionId}`,
  ], TRANSACTION);
  const stored = await storeWholeReply(chatDepsFor(db), dispatchId, { content: reply.content, contentType: "markdown" });
  if (!stored) throw new Error("storeBotReply: the reply was not stored");
  return stored.message;
}
