/**
 * Runs once when a server instance starts: a bad environment stops it here, not in a request; then
 * the instance's workers start taking replies.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { getEnv } = await import("./env");
    getEnv();
    const { shutdown, startServices } = await import("./server/services");
    await startServices();
    console.log(`Pit Chat server (pid ${process.pid}) on Node ${process.version}: taking replies`);
    // The launcher sets NEXT_MANUAL_SIG_HANDLE, so Next leaves these signals to us: its own handler
    // would wait for every open live stream to end before exiting, which they never do by themselves.
    const drainMs = Number(process.env.SHUTDOWN_DRAIN_MS ?? (process.env.PITCHAT_EMBEDDED ? 0 : 2_000));
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        console.log(`Pit Chat server (pid ${process.pid}): ${signal}, shutting down`);
        void shutdown(drainMs).finally(() => process.exit(0));
      });
    }
  }
}
