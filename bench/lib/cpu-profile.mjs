// Preloaded into a server (NODE_OPTIONS=--import …) by the bench's profile phase (BENCH_PROFILE):
// SIGUSR2 starts V8's CPU profiler, the next SIGUSR2 writes the profile to
// $BENCH_PROFILE_DIR/<pid>-<n>.cpuprofile. Only the process that gets the signal profiles.
import { writeFileSync } from "node:fs";
import inspector from "node:inspector";
import { join } from "node:path";

let session = null;
let count = 0;
process.on("SIGUSR2", () => {
  if (!session) {
    session = new inspector.Session();
    session.connect();
    session.post("Profiler.enable", () =>
      session.post("Profiler.setSamplingInterval", { interval: 250 }, () => session.post("Profiler.start")),
    );
    return;
  }
  const current = session;
  session = null;
  current.post("Profiler.stop", (error, result) => {
    if (!error) writeFileSync(join(process.env.BENCH_PROFILE_DIR || ".", `${process.pid}-${count++}.cpuprofile`), JSON.stringify(result.profile));
    current.disconnect();
  });
});
