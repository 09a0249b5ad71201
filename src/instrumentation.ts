/**
 * Runs once when a server instance starts: a bad environment stops it here, not in a request; then
 * the instance's workers start taking replies.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { getEnv } = await import("./env");
    getEnv();
    const { assertClientAddressKnown } = await import("./server/client-ip");
    assertClientAddressKnown();
    const { shutdown, startServices } = await import("./server/services");
    await startServices();
    // scripts/server.mjs owns the process's signals: on SIGTERM it stops listening, then calls this
    // (live streams end, replies go back to the queue), then exits.
    (globalThis as Record<symbol, unknown>)[Symbol.for("pitchat.shutdown")] = () => shutdown();
    // scripts/server.mjs answers API calls with this directly, past Next's router (see the module).
    const { handleApiRequest } = await import("./server/api/node-handler");
    (globalThis as Record<symbol, unknown>)[Symbol.for("pitchat.apiHandler")] = handleApiRequest;
    console.log(`Pit Chat server (pid ${process.pid}) on Node ${process.version}: taking replies`);
  }
}
