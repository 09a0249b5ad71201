import { readiness } from "@/server/services";

export const dynamic = "force-dynamic";

/**
 * Readiness: this instance should get traffic. 503 while it starts (workers not up yet), shuts
 * down, or cannot reach its database (or, on PostgreSQL, is not listening for events).
 */
export async function GET() {
  const state = await readiness();
  return Response.json(state, { status: state.ready ? 200 : 503, headers: { "cache-control": "no-store" } });
}
