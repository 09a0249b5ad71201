/** Runs once when a server instance starts: a bad environment stops it here, not in a request. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { getEnv } = await import("./env");
    getEnv();
    const { assertClientAddressKnown } = await import("./server/client-ip");
    assertClientAddressKnown();
    console.log(`Pit Chat server (pid ${process.pid}) on Node ${process.version}`);
  }
}
