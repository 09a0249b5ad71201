/** The run's results as a Markdown report (stdout and bench/results/latest.md) and JSON. */
import type { AgentsResult } from "./agents";
import type { FirstLoad } from "./bundle";
import type { LiveResult } from "./live";
import type { Measurement } from "./measure";
import type { SearchResult } from "./search";
import type { StatementCount } from "./statements";
import type { ThreadResult, Window } from "./thread";

export type Pair = { app?: Measurement; floor?: Measurement; rounds?: { app: Measurement; floor?: Measurement }[] };

export const CALLS = ["listSessions", "listMessages", "sendMessage", "sendOneUser"] as const;
export type CallName = (typeof CALLS)[number];
/** Everything measured in the PostgreSQL phase's rounds, in the order each round visits them. */
export const TARGETS = ["app", "app ×2", "app on Node 20", "floor", "original", "original's floor", "app at 0.1", "floor at 0.1"] as const;
export type TargetName = (typeof TARGETS)[number] | "app on PGlite";

export type ProfiledCall = {
  call: CallName;
  file: string;
  requests: number;
  /** CPU per request of the unprofiled app in the measurements, and of the profiled one. */
  cpuMs: number;
  profiledCpuMs: number;
  layers: { layer: string; share: number }[];
};
export type Results = {
  machine: Record<string, string | number>;
  config: Record<string, string | number>;
  postgres?: {
    server: string;
    data: Record<string, number>;
    loadSeconds: number;
    /** Medians over the rounds, by call and target. */
    calls: Record<CallName, Partial<Record<TargetName, Measurement>>>;
    rounds: Partial<Record<CallName, Partial<Record<TargetName, Measurement[]>>>>;
    skipped: Partial<Record<TargetName, string>>;
    /** After each send measurement: dispatch jobs left, and how long the workers took to take them. */
    drains: Partial<Record<TargetName, { left: number; seconds: number }[]>>;
    sendCountersConsistent?: boolean;
    original?: { loadSeconds: number; dir: string; sends: { added: number; lost: number } };
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
  agents?: AgentsResult;
  live?: LiveResult;
  search?: { skipped: string } | { queries: SearchResult };
  profile?: ProfiledCall[];
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
const cpu = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "–" : `${v.toFixed(2)} ms`);
const CALL_LABELS: Record<CallName, string> = {
  listSessions: "chat.listSessions (20)",
  listMessages: "chat.listMessages (50, middle)",
  sendMessage: "chat.sendMessage (16 users)",
  sendOneUser: "chat.sendMessage (one user)",
};

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
      `${r.config.rounds} round(s), pool ${r.config.poolMax}, ` +
      `${r.config.pauseOthers === 0 ? "every server running throughout" : "the other servers paused while one is measured (the app beside its floor)"}; ` +
      `PostgreSQL: ${r.postgres?.server ?? "–"}.`,
  );
  out.push("");
  out.push("## Budgets");
  out.push("");
  out.push(table(["what", "figure", "budget", "verdict"], r.budgets.map((b) => [b.what, b.figure, b.budget, b.verdict])));
  out.push("");
  out.push("## Latency, throughput and CPU per request over HTTP (production build)");
  out.push("");
  out.push(
    "Each call is measured against every server in turn, round after round, the figure being the median over the rounds. " +
      "CPU per request is the server's process tree (and, on the bench's own cluster, PostgreSQL's) from /proc: it moves far less " +
      "than throughput on this shared machine. ÷ original and ÷ floor compare throughputs.",
  );
  out.push("");
  const pgRows: string[][] = [];
  for (const call of CALLS) {
    const c = r.postgres?.calls[call];
    if (!c) continue;
    for (const name of TARGETS) {
      const m = c[name];
      if (!m) continue;
      pgRows.push([
        CALL_LABELS[call], name, ms(m.p50), ms(m.p99), rps(m.throughput), cpu(m.cpuMs), cpu(m.pgCpuMs),
        x(ratio(m.throughput, c.original?.throughput)), x(ratio(m.throughput, c.floor?.throughput)), String(m.requests), String(m.errors + m.non2xx),
      ]);
    }
  }
  out.push(table(["call", "server", "p50", "p99", "throughput", "CPU/req", "PostgreSQL CPU/req", "÷ original", "÷ floor", "requests", "errors"], pgRows));
  const c = r.postgres?.calls;
  if (c) {
    const pairs: [string, TargetName, TargetName][] = [
      ["two instances (WEB_CONCURRENCY=2) ÷ one", "app ×2", "app"],
      ["Node 24 ÷ Node 20 (the same build)", "app", "app on Node 20"],
    ];
    const lines = pairs.flatMap(([what, a, b]) =>
      c.listSessions[a] && c.listSessions[b]
        ? [`- ${what}: throughput ${CALLS.map((call) => `${call} ${x(ratio(c[call][a]?.throughput, c[call][b]?.throughput))}`).join(", ")}; ` +
            `CPU per request ${CALLS.map((call) => `${call} ${x(ratio(c[call][a]?.cpuMs, c[call][b]?.cpuMs))}`).join(", ")}`]
        : [],
    );
    if (lines.length) out.push("", ...lines);
    const drains = Object.entries(r.postgres?.drains ?? {}).map(([name, d]) => `${name} ${d!.map((x) => `${x.seconds.toFixed(1)} s${x.left ? ` (${x.left} left)` : ""}`).join(", ")}`);
    if (drains.length) out.push(`- after each send measurement, the app's workers took the remaining dispatch jobs in: ${drains.join("; ")}`);
    const o = r.postgres?.original;
    if (o) {
      out.push(
        `- the original (${o.dir}: Flask, gunicorn with 2 sync workers behind HAProxy; its data loaded in ${o.loadSeconds.toFixed(0)} s) hands nothing to an agent ` +
          `(no dispatch, no events): its send is one transaction of its own ORM statements. Its sends stored ${o.sends.added.toLocaleString("en")} messages and lost ` +
          `${o.sends.lost.toLocaleString("en")} message_count increments (${((100 * o.sends.lost) / Math.max(1, o.sends.added)).toFixed(0)} %); the app's counters are checked exact.`,
      );
    }
  }
  const otherRows = [
    ...latencyRows("chat.listSessions (20)", r.pglite?.listSessions, `PGlite at ${r.pglite?.scale}`),
    ...latencyRows("chat.listMessages (50, middle)", r.pglite?.listMessages, `PGlite at ${r.pglite?.scale}`),
  ];
  if (otherRows.length) {
    out.push("", "The embedded default:", "");
    out.push(table(["call", "server", "p50", "p99", "throughput", "requests", "errors"], otherRows));
  }
  if (r.profile?.length) out.push("", ...profileSection(r.profile));
  if (r.agents || r.live || r.search) out.push("", ...eventsSection(r));
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
    !w.uncovered ? "–" : w.uncovered.frames ? `${w.uncovered.frames} (${((100 * w.uncovered.frames) / Math.max(1, w.frames.frames)).toFixed(1)} %), ≤ ${w.uncovered.longestRun} in a row, max ${w.uncovered.maxPx} px` : "0",
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
      `rendering (\`[data-markdown-pending]\`) or had part of the view with no message where one belonged (rows not mounted yet). Once loaded the thread is ${Math.round(t.scrollHeightPx).toLocaleString("en")} px tall and the ` +
      `page's JS heap ${t.heapMB.toFixed(0)} MB. Load average ${t.load.before} before / ${t.load.after} after; ${t.totalSeconds.toFixed(0)} s in all` +
      `${t.complete ? "" : " (INCOMPLETE: the time limit stopped the wheeling)"}.`,
    "",
    table(
      ["window", "time", "long tasks", "max", "p95", "frames", "gap p95", "gap max", "max in DOM", "frames with plain text in view", "frames with rows missing in view"],
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

function profileSection(profile: ProfiledCall[]): string[] {
  const layers = [...new Set(profile.flatMap((p) => p.layers.map((l) => l.layer)))];
  const share = (p: ProfiledCall, layer: string) => p.layers.find((l) => l.layer === layer)?.share ?? 0;
  layers.sort((a, b) => profile.reduce((s, p) => s + share(p, b), 0) - profile.reduce((s, p) => s + share(p, a), 0));
  const rows = layers.map((layer) => [
    layer,
    ...profile.map((p) => (Number.isNaN(p.cpuMs) ? `${(100 * share(p, layer)).toFixed(1)} %` : `${(p.cpuMs * share(p, layer)).toFixed(3)} ms (${(100 * share(p, layer)).toFixed(0)} %)`)),
  ]);
  rows.push(["CPU per request (unprofiled app, in the measurements above)", ...profile.map((p) => cpu(p.cpuMs))]);
  return [
    "## Where a request's CPU goes (BENCH_PROFILE=1)",
    "",
    "A second app on the same database, V8's CPU profiler preloaded, each call loaded for the measurement's length; every sample's self time goes " +
      "to the layer of the code it was in (source maps of the build applied), and the shares are applied to the unprofiled app's CPU per request. " +
      "JSON.stringify counts where tRPC calls it; a profile on a loaded machine counts descheduled moments against what was on the stack.",
    "",
    table(["layer", ...profile.map((p) => `${CALL_LABELS[p.call]}`)], rows),
  ];
}

function eventsSection(r: Results): string[] {
  const out = ["## Agents, live updates, search"];
  const a = r.agents;
  if (a) {
    out.push(
      "",
      `Agents (issue 9): ${a.messages} \`/echo\` messages to the demo agent (${a.wordDelayMs} ms between words), ${a.sessions} sessions at once, each sending its next ` +
        `message when the previous one is answered, one instance, over HTTP with the real tRPC client and its live stream. Times from issuing the send: ` +
        `its response (stored) p50 ${ms(a.send.p50)} / p99 ${ms(a.send.p99)}; the acked event p50 ${ms(a.acked.p50)} / p99 ${ms(a.acked.p99)} ` +
        `(from the response: p50 ${ms(a.storedAcked.p50)} / p99 ${ms(a.storedAcked.p99)}); ` +
        `the reply's done event p50 ${ms(a.reply.p50)} / p99 ${ms(a.reply.p99)}${a.missing ? `; ${a.missing} never came` : ""}.`,
    );
  }
  const l = r.live;
  if (l) {
    out.push(
      "",
      `Live (issue 10): ${l.subscriptions} chat.onEvent streams (${l.users} users, 10 tabs each) on one instance, all open after ${l.openSeconds.toFixed(1)} s ` +
        `(${l.openAtEnd} still open at the end). ${l.latency.n} replies to user #1: reply finished (the reply row's updatedAt, the database's clock) → its ` +
        `event at the client: p50 ${ms(l.latency.p50)}, p99 ${ms(l.latency.p99)}, max ${ms(l.latency.max)}${l.missing ? `; ${l.missing} never came` : ""}. ` +
        `The instance's RSS: ${(l.rssBefore / 2 ** 20).toFixed(0)} MB without the streams, ${(l.rssOpen / 2 ** 20).toFixed(0)} MB with them ` +
        `(${((l.rssOpen - l.rssBefore) / 1024 / l.subscriptions).toFixed(0)} KB a stream).`,
    );
  }
  if (r.search && "skipped" in r.search) out.push("", `Search (issue 13): ${r.search.skipped}.`);
  else if (r.search) {
    out.push("", "Search (issue 13), chat.search at the reference data:", "");
    out.push(table(["query", "", "first page", "p50 alone", "p99 alone", `throughput, loaded`], r.search.queries.map((q) => [
      JSON.stringify(q.query), q.what, String(q.hits), ms(q.single.p50), ms(q.single.p99), rps(q.loaded.throughput),
    ])));
  }
  return out;
}
