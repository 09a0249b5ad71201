export const dynamic = "force-dynamic";

/** Liveness: the process serves HTTP. A balancer or orchestrator restarts an instance that fails it. */
export function GET() {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
