import { timingSafeEqual } from "node:crypto";
import type { NextRequest } from "next/server";
import { z } from "zod";
import { BotReplyInput } from "@/shared";
import { withBodyLimit } from "@/server/api/http";
import { storeServiceReply } from "@/server/chat/replies";
import { hashToken } from "@/server/agents/sync";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/**
 * A webhook service's later reply (API.md, "Bot services"): `Authorization: Bearer <agent token>`,
 * `{ sessionId, replyTo, content, contentType? }` → 201 with the stored message, 200 with the one
 * stored before for the same replyTo, 401 for a wrong token, 404 for a session this agent does not
 * serve, 400 for a bad body.
 */
export async function POST(req: NextRequest) {
  const agent = await agentFromToken(req.headers.get("authorization"));
  if (!agent) {
    return Response.json({ error: { code: "UNAUTHORIZED", message: "A valid agent token is required" } }, {
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="pit-chat bot API"' },
    });
  }
  const limited = await withBodyLimit(req);
  if (limited instanceof Response) return limited;
  let body: unknown;
  try {
    body = await limited.json();
  } catch {
    return badRequest("The body must be JSON");
  }
  const input = BotReplyInput.safeParse(body);
  if (!input.success) return badRequest("Invalid reply", z.flattenError(input.error));
  const { deps } = getServices();
  const result = await storeServiceReply(deps, agent.id, { ...input.data, contentType: input.data.contentType ?? "markdown" });
  if (!result) return Response.json({ error: { code: "NOT_FOUND", message: "Session not found" } }, { status: 404 });
  return Response.json({ message: result.message }, { status: result.created ? 201 : 200 });
}

function badRequest(message: string, zodError?: unknown) {
  return Response.json({ error: { code: "BAD_REQUEST", message, ...(zodError ? { zodError } : {}) } }, { status: 400 });
}

/** The agent whose reply token this is; hashes compared in constant time. */
async function agentFromToken(header: string | null): Promise<{ id: string } | null> {
  const token = header?.match(/^Bearer\s+(\S{1,512})$/i)?.[1];
  if (!token) return null;
  const hash = hashToken(token);
  const { db } = getServices().deps;
  const agent = await db.agent.findUnique({ where: { tokenHash: hash }, select: { id: true, tokenHash: true } });
  if (!agent?.tokenHash) return null;
  const a = Buffer.from(agent.tokenHash, "hex");
  const b = Buffer.from(hash, "hex");
  return a.length === b.length && timingSafeEqual(a, b) ? { id: agent.id } : null;
}
