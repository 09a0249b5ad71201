import type { NextRequest } from "next/server";
import { Id } from "@/shared";
import { getSessionUser } from "@/server/auth/session";
import { exportConversation } from "@/server/chat/export";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/**
 * A conversation as a download (API.md, "Export"): `?format=md` (default) or `?format=json`, for the
 * signed-in owner of the session. 401 signed out, 400 for another format, 404 for a session that is
 * not the caller's (or does not exist).
 */
export async function GET(req: NextRequest, { params }: { params: Promise<{ sessionId: string }> }) {
  const user = await getSessionUser();
  if (!user) return error(401, "UNAUTHORIZED", "Sign in first");
  const format = req.nextUrl.searchParams.get("format") ?? "md";
  if (format !== "md" && format !== "json") return error(400, "BAD_REQUEST", "format must be md or json");
  const sessionId = Id.safeParse((await params).sessionId);
  const found = sessionId.success ? await exportConversation(getServices().deps.db, user.id, sessionId.data, format) : null;
  if (!found) return error(404, "NOT_FOUND", "Session not found");
  return new Response(found.body, {
    headers: {
      "content-type": found.contentType,
      "content-disposition": `attachment; filename="${found.filename}"`,
      "cache-control": "no-store",
    },
  });
}

function error(status: number, code: string, message: string) {
  return Response.json({ error: { code, message } }, { status });
}
