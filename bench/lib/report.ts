/** The run's results as a Markdown report (stdout and bench/results/latest.md) and JSON. */
import type { FirstLoad } from "./bundle";
import type { Measurement } from "./measure";
import type { StatementCount } from "./statements";
import type { ThreadResult, Window } from "./thread";

export type Pair = { app?: Measurement; floor?: Measurement; rounds?: { app: Measurement; floor?: Measurement }[] };

export type Results = {
  machine: Record<string, string | number>;
  config: Record<string, string | number>;
  postgres?: {
    server: string;
    data: Record<string, number>;
    loadSeconds: number;
    listSessions: Pair;
    listMessages: Pair;
    sendMessage: Pair;
    sendCountersConsistent?: boolean;
  };
  flatness?: {
    scale: number;
    data: Record<string, number>;
    loadSeconds: number;
    listSessions: Pair;
    listMessages: Pair;
  };
  statements?: StatementCount[];
  pglite?: {
    scale: number;
    how: string;
    data: Record<string, number>;
    loadSeconds: number;
    listSessions: Pair;
    listMessages: Pair;
  };
  coldStart?: { msToFirst200: number; dbReadyMs?: number };
  thread?: ThreadResult;
  firstLoad: { target: FirstLoad; reference: FirstLoad };
  eventLatency: { measured: false; reason: string };
  budgets: BudgetRow[];
  notes: string[];
  errors: string[];
};

export type Verdict = "PASS" | "FAIL" | "reported" | "not measured";
export type BudgetRow = { what: string; figure: string; budget: string; verdict: Verdict };

export const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "–" : v < 10 ? `${v.toFixed(2)} ms` : `${v.toFixed(1)} ms`);
export const rps = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "–" : `${Math.round(v).toLocaleString("en")}/s`);
export const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !b ? NaN : a / b);
export const x = (v: number) => (Number.isNaN(v) ? "–" : `${v.toFixed(2)}×`);
/** kB = 1,000 bytes, as Next prints sizes; KiB beside it, since budgets get read both ways. */
export const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB (${(bytes / 1024).toFixed(1)} KiB)`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function latencyRows(label: string, pair: Pair | undefined, server: string): string[][] {
  if (!pair?.app) return [];
  const rows: string[][] = [];
  const m = (who: string, v: Measurement | undefined) =>
    v ? rows.push([label, `${server}: ${who}`, ms(v.p50), ms(v.p99), rps(v.throughput), String(v.requests), String(v.errors + v.non2xx)]) : 0;
  m("app", pair.app);
  m("floor", pair.floor);
  if (pair.floor) {
    rows.push([label, `${server}: app ÷ floor`, x(ratio(pair.app.p50, pair.floor.p50)), x(ratio(pair.app.p99, pair.floor.p99)), x(ratio(pair.app.throughput, pair.floor.throughput)), "", ""]);
  }
  return rows;
}

export function toMarkdown(r: Results): string {
  const out: string[] = [];
  out.push(`# Pit Chat bench — ${r.machine.date}`);
  out.push("");
  out.push(
    `Machine: ${r.machine.nproc} cores (${r.machine.cpu}), ${r.machine.memory}, Node ${r.machine.node}, load average ${r.machine.loadBefore} before / ${r.machine.loadAfter} after; ` +
      `commit ${r.machine.commit}, build ${r.machine.buildId}.`,
  );
  out.push(
    `Run: BENCH_SCALE=${r.config.scale}, ${r.config.connections} connections, ${r.config.seconds} s per measurement after ${r.config.warmup} s warm-up, ` +
      `${r.config.rounds} round(s), pool ${r.config.poolMax}; PostgreSQL: ${r.postgres?.server ?? "–"}.`,
  );
  out.push("");
  out.push("## Budgets");
  out.push("");
  out.push(table(["what", "figure", "budget", "verdict"], r.budgets.map((b) => [b.what, b.figure, b.budget, b.verdict])));
  out.push("");
  out.push("## Latency and throughput over HTTP (production build)");
  out.push("");
  const rows = [
    ...latencyRows("chat.listSessions (20)", r.postgres?.listSessions, "PostgreSQL"),
    ...latencyRows("chat.listMessages (50, middle)", r.postgres?.listMessages, "PostgreSQL"),
    ...latencyRows("chat.sendMessage", r.postgres?.sendMessage, "PostgreSQL"),
    ...latencyRows("chat.listSessions (20)", r.flatness?.listSessions, `PostgreSQL at ${r.flatness?.scale}`),
    ...latencyRows("chat.listMessages (50, middle)", r.flatness?.listMessages, `PostgreSQL at ${r.flatness?.scale}`),
    ...latencyRows("chat.listSessions (20)", r.pglite?.listSessions, `PGlite at ${r.pglite?.scale}`),
    ...latencyRows("chat.listMessages (50, middle)", r.pglite?.listMessages, `PGlite at ${r.pglite?.scale}`),
  ];
  out.push(table(["call", "server", "p50", "p99", "throughput", "requests", "errors"], rows));
  out.push("");
  out.push("## Data");
  out.push("");
  const n = (v: number | undefined) => (v ?? 0).toLocaleString("en");
  const data = (name: string, d: Record<string, number> | undefined, s: number | undefined) =>
    d ? `- ${name}: ${d.users} users, ${n(d.sessions)} sessions (${n(d.userSessions)} of the signed-in user), ${n(d.messages)} messages (${n(d.bigSession)} in one session); loaded in ${s?.toFixed(1)} s` : "";
  out.push([data("PostgreSQL", r.postgres?.data, r.postgres?.loadSeconds), data("PostgreSQL, flatness", r.flatness?.data, r.flatness?.loadSeconds), data(`PGlite (${r.pglite?.how ?? ""})`, r.pglite?.data, r.pglite?.loadSeconds)].filter(Boolean).join("\n"));
  if (r.statements) {
    out.push("");
    out.push("## SQL statements per call (counted at the pg driver)");
    out.push("");
    out.push(table(["call", "statements", "budget"], r.statements.map((s) => [s.call, String(s.count), `≤ ${s.budget}`])));
  }
  if (r.thread) out.push("", ...threadSection(r.thread));
  out.push("");
  out.push("## First-load JavaScript");
  out.push("");
  for (const f of [r.firstLoad.target, r.firstLoad.reference]) {
    if (!f.found) {
      out.push(`- ${f.route}: not in the build`);
      continue;
    }
    out.push(`- ${f.route}: ${kB(f.gzipBytes!)} gzip (${kB(f.rawBytes!)} raw) in ${f.files!.length} chunks, from ${f.source}${f.crossCheck ? `; ${f.crossCheck}` : ""}`);
  }
  if (r.notes.length || r.errors.length) {
    out.push("");
    out.push("## Notes");
    out.push("");
    for (const n of r.notes) out.push(`- ${n}`);
    for (const e of r.errors) out.push(`- error: ${e}`);
  }
  out.push("");
  return out.join("\n");
}

function threadSection(t: ThreadResult): string[] {
  const row = (name: string, w: Window, extra = "") => [
    name,
    `${(w.ms / 1000).toFixed(1)} s${extra}`,
    String(w.longTasks.count),
    w.longTasks.count ? ms(w.longTasks.max) : "–",
    w.longTasks.count ? ms(w.longTasks.p95) : "–",
    String(w.frames.frames),
    ms(w.frames.p95),
    ms(w.frames.max),
    String(w.maxDom),
    w.plainInView.frames ? `${w.plainInView.frames} (${((100 * w.plainInView.frames) / Math.max(1, w.frames.frames)).toFixed(1)} %), ≤ ${w.plainInView.longestRun} in a row` : "0",
  ];
  const out = [
    `## A ${t.messages.toLocaleString("en")}-message thread in the browser`,
    "",
    `${t.browser}, ${t.viewport}, headless, the launch options of playwright.config.ts; the production app on a fresh embedded database ` +
      `(thread loaded in ${t.loadSeconds.toFixed(1)} s). The reader opens the thread from the sidebar, takes ${t.position.steps} slow wheel steps up ` +
      `(${t.position.deltaPx} px, ${t.position.pauseMs} ms apart), then wheels up ${t.wheel.deltaPx} px every ${t.wheel.pauseMs} ms (plus the round trip) ` +
      `to the oldest message, loading ${t.pages - 1} older pages of 50 on the way, and back down to the newest. Long tasks: PerformanceObserver ` +
      `\`longtask\` (buffered); frame gaps: requestAnimationFrame; DOM: \`[data-testid="message"]\` elements at every frame ` +
      `(${t.domSamples.toLocaleString("en")} samples), and the frames that showed a message in view as plain text while its markdown was still ` +
      `rendering (\`[data-markdown-pending]\`). Once loaded the thread is ${Math.round(t.scrollHeightPx).toLocaleString("en")} px tall and the ` +
      `page's JS heap ${t.heapMB.toFixed(0)} MB. Load average ${t.load.before} before / ${t.load.after} after; ${t.totalSeconds.toFixed(0)} s in all` +
      `${t.complete ? "" : " (INCOMPLETE: the time limit stopped the wheeling)"}.`,
    "",
    table(
      ["window", "time", "long tasks", "max", "p95", "frames", "gap p95", "gap max", "max in DOM", "frames with plain text in view"],
      [
        row("open (click → newest in view, + 1 s)", t.open, `; newest after ${ms(t.open.msToNewest)}`),
        row(`slow wheel up (${t.position.steps} steps)`, t.position),
        row(`wheel up (${t.wheel.stepsUp} steps)`, t.scrollUp),
        row(`wheel down (${t.wheel.stepsDown} steps)`, t.scrollDown),
        row("all the scrolling", t.scroll),
      ],
    ),
  ];
  out.push(
    "",
    `Reading position: ${t.position.steps} slow wheel steps of ${t.position.deltaPx} px up from the newest message, ${t.position.pauseMs} ms apart; ` +
      `in ${t.position.over2px} of the ${t.position.measured} steps that scrolled the whole distance, the message in the middle of the view moved more than 2 px ` +
      `beyond it (max ${t.position.maxShiftPx.toFixed(0)} px).`,
  );
  if (t.longestFrames.length) {
    out.push("", "Longest animation frames (Long Animation Frames API; scripts of 5 ms or more):", "");
    for (const f of t.longestFrames) out.push(`- ${f.phase}: ${f.duration} ms (blocking ${f.blocking} ms)${f.scripts.length ? `: ${f.scripts.join("; ")}` : ""}`);
  }
  return out;
}
