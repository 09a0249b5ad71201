/**
 * Runs once when a server instance starts: a bad environment stops it here, not in a request; then
 * the instance's workers start taking replies.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { getEnv } = await import("./env");
    getEnv();
    const { startServices } = await import("./server/services");
    await startServices();
    console.log(`Pit Chat server (pid ${process.pid}) on Node ${process.version}: taking replies`);
  }
}
