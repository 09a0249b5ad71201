/**
 * The 10,000-message thread of BUDGETS.md, measured in a browser: message elements in the DOM
 * bounded (virtualised), and scrolling never blocks the main thread for more than 50 ms.
 *
 * The production app runs on a fresh embedded database (`npm start`, empty PITCHAT_DATA_DIR: the
 * demo seed), a reader with one 10,000-message session is added with set-based SQL through the
 * database's socket, and Chromium (the launch options and device of playwright.config.ts) signs in
 * through the form, opens the thread from the sidebar, wheels up from the newest message to the
 * oldest (every older page loads as it would for a person) and back down to the newest.
 *
 * In the page, from before its first script: a PerformanceObserver for `longtask` (buffered) and
 * for `long-animation-frame` (its script attribution says what blocked), and a requestAnimationFrame
 * loop recording every frame's gap and the number of `[data-testid="message"]` elements then.
 */
import type { Browser } from "@playwright/test";
import { writeFile } from "node:fs/promises";
import pg from "pg";
import { onCleanup, sleep, tempDir, freePort, type Child } from "./procs";

export const THREAD_MESSAGES = 10_000;
/** Fewer messages for development only (BENCH_THREAD_MESSAGES); the budget is about 10,000. */
const MESSAGES = Number(process.env.BENCH_THREAD_MESSAGES ?? THREAD_MESSAGES);
const PAGE = 50;
const EMAIL = "bench-thread@example.com";
const SESSION_ID = "bench-thread-s1";
const TITLE = "Bench: the 10,000-message thread";

export type TaskStats = { count: number; max: number; p95: number; total: number };
export type FrameStats = { frames: number; max: number; p95: number; over50: number };
/** Frames in which a message in view still showed plain text, its markdown not rendered yet. */
export type PlainStats = { frames: number; longestRun: number };
export type Window = { ms: number; longTasks: TaskStats; frames: FrameStats; maxDom: number; plainInView: PlainStats; uncovered: UncoveredStats };
/** Frames in which part of the view had no message where one belonged (rows not mounted yet). */
export type UncoveredStats = { frames: number; maxPx: number; longestRun: number };
export type LongFrame = { phase: string; duration: number; blocking: number; scripts: string[] };

export type ThreadResult = {
  messages: number;
  pages: number;
  browser: string;
  viewport: string;
  wheel: { deltaPx: number; pauseMs: number; stepsUp: number; stepsDown: number };
  /** Reached the oldest message, then the newest again, within the time limit. */
  complete: boolean;
  /** The scroll box's height once every page is loaded. */
  scrollHeightPx: number;
  /** The page's JS heap at the end (performance.memory), every message loaded. */
  heapMB: number;
  loadSeconds: number;
  /** Click on the sidebar row → the newest message in view at the bottom (then 1 s of quiet). */
  open: Window & { msToNewest: number };
  /**
   * Slow wheel steps up from the newest message, each left to settle: how far the message in the
   * middle of the view moved beyond the wheel's distance (0 when the reading position is held).
   */
  position: Window & { steps: number; deltaPx: number; pauseMs: number; measured: number; over2px: number; maxShiftPx: number };
  scrollUp: Window & { pagesLoaded: number };
  scrollDown: Window;
  /** All the scrolling (slow steps, up and down): what the budget is about. */
  scroll: Window;
  maxDom: number;
  domSamples: number;
  totalSeconds: number;
  load: { before: string; after: string };
  /** The longest animation frames (Long Animation Frames API), with what ran in them. */
  longestFrames: LongFrame[];
};

const LOREM =
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. " +
  "Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor " +
  "in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, " +
  "sunt in culpa qui officia deserunt mollit anim id est laborum.";
const words = (from: number, n: number) => {
  const all = LOREM.replace(/[.,]/g, "").toLowerCase().split(" ");
  return Array.from({ length: n }, (_, i) => all[(from + i) % all.length]).join(" ");
};

/**
 * Bot replies, by turn: short answers, paragraphs, lists (nested, numbered, tasks), tables, fenced
 * code with and without a language, quotes, links. `{n}` becomes the message's seq, so every
 * message's content is distinct (no cache by content can flatter the measurement).
 */
const BOT_REPLIES: string[] = [
  "Reply {n}: sure, **done**.",
  `Reply {n}: ${LOREM}`,
  `Reply {n}: here is the plan:\n\n1. Check the *inputs* first\n2. Run the \`build\` again\n3. Compare with [the docs](https://example.com/docs)\n\nThat should do it.`,
  `Reply {n}: a few options.\n\n- **alpha**: ${words(3, 14)}\n- **beta**: ${words(9, 22)}\n  - ${words(20, 6)}\n  - ${words(30, 9)}\n- **gamma**: ${words(40, 8)}\n- ~~delta~~ dropped`,
  `Reply {n}: the figures so far.\n\n| call | p50 | p99 | errors |\n|---|---:|---:|---|\n| listSessions | 3.1 ms | 9.8 ms | 0 |\n| listMessages | 2.7 ms | 8.4 ms | 0 |\n| sendMessage | 5.9 ms | 21.0 ms | 0 |\n| markRead | 1.2 ms | 4.4 ms | 0 |\n\nAll within budget.`,
  "Reply {n}: try this:\n\n```ts\nexport function sum(xs: number[]): number {\n  let total = 0;\n  for (const x of xs) total += x;\n  return total;\n}\n```\n\nIt is O(n) and allocates nothing.",
  `Reply {n}: ${words(5, 30)}.\n\n${words(50, 45)}.\n\n${words(12, 25)}.`,
  "Reply {n}: a longer example.\n\n```python\nimport json\nfrom dataclasses import dataclass\n\n@dataclass\nclass Point:\n    x: float\n    y: float\n\n    def norm(self) -> float:\n        return (self.x ** 2 + self.y ** 2) ** 0.5\n\ndef load(path: str) -> list[Point]:\n    with open(path) as f:\n        return [Point(**p) for p in json.load(f)]\n\nif __name__ == \"__main__\":\n    for p in load(\"points.json\"):\n        print(p, p.norm())\n```",
  `Reply {n}:\n\n> ${words(7, 20)}\n\nThat quote says it all. See https://example.com/notes and \`config.yaml\`.`,
  `Reply {n}: to do\n\n- [x] write the loader\n- [x] check the invariants\n- [ ] measure the scroll\n- [ ] report the figures`,
  "Reply {n}: ok.",
  "Reply {n}: the output was\n\n```\n$ npm run bench\n[   0 s] BENCH_SCALE=1, 16 connections\n[  42 s] loaded in 41.2 s\n[ 300 s] written to bench/results/latest.md\n```",
  `Reply {n}: ### Summary\n\n${words(15, 35)}.\n\n#### Details\n\n1. ${words(2, 10)}\n2. ${words(22, 12)}\n3. ${words(33, 7)}\n\n| key | value |\n|---|---|\n| a | ${words(1, 3)} |\n| b | ${words(8, 4)} |`,
  `Reply {n}: *${words(44, 16)}*`,
];

/** The reader, their session and its messages, with the counters and preview the app relies on. */
async function loadThread(url: string, passwordHash: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: bots } = await client.query<{ id: string; agentId: string; displayName: string }>(
      `SELECT id, "agentId", "displayName" FROM "Bot" WHERE name = 'demo'`,
    );
    const bot = bots[0];
    if (!bot) throw new Error("the demo bot is not seeded");
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO "User" (id, email, name, "passwordHash", "createdAt", "updatedAt")
       VALUES ('bench-thread-u1', $1, 'Bench Reader', $2, now() - interval '30 days', now() - interval '30 days')`,
      [EMAIL, passwordHash],
    );
    // The last bot reply is unread, as in a thread the reader comes back to.
    await client.query(
      `INSERT INTO "ChatSession" (id, "userId", "botId", "primaryAgentId", title, status, "messageCount", "unreadCount",
                                  "lastActiveAt", "createdAt", "updatedAt")
       VALUES ($1, 'bench-thread-u1', $2, $3, $4, 'active', $5::int, 1, now() - interval '1 minute',
               now() - interval '1 minute' - $5::int * interval '30 seconds', now() - interval '1 minute')`,
      [SESSION_ID, bot.id, bot.agentId, TITLE, MESSAGES],
    );
    // Odd seqs are the reader's: plain text of varied length (every fifth stored as `text`, every
    // thirteenth several lines long); even seqs are the bot's markdown replies, in turn.
    await client.query(
      `INSERT INTO "Message" (id, "sessionId", "userId", seq, "senderType", "senderId", "senderName", "botId", content, "contentType",
                              status, "ackStatus", "createdAt", "updatedAt")
       SELECT 'bench-thread-m' || g, s.id, s."userId", g,
              (CASE WHEN g % 2 = 1 THEN 'user' ELSE 'bot' END)::"SenderType",
              CASE WHEN g % 2 = 1 THEN s."userId" ELSE s."botId" END,
              CASE WHEN g % 2 = 1 THEN 'Bench Reader' ELSE $3 END,
              s."botId",
              CASE WHEN g % 2 = 0 THEN replace(($2::text[])[1 + (g / 2) % array_length($2::text[], 1)], '{n}', g::text)
                   WHEN g % 13 = 0 THEN 'Message ' || g || E':\n' || left($4, 200) || E'\n\n' || right($4, 150) || E'\nThanks!'
                   ELSE 'Message ' || g || ': ' || left($4, 12 + (g * 37) % 240) END,
              (CASE WHEN g % 2 = 1 AND g % 5 = 0 THEN 'text' ELSE 'markdown' END)::"ContentType",
              (CASE WHEN g % 2 = 1 OR g = s."messageCount" THEN 'delivered' ELSE 'read' END)::"MessageStatus",
              'acked',
              s."lastActiveAt" - (s."messageCount" - g) * interval '30 seconds',
              s."lastActiveAt" - (s."messageCount" - g) * interval '30 seconds'
       FROM "ChatSession" s CROSS JOIN generate_series(1, s."messageCount") AS g
       WHERE s.id = $1`,
      [SESSION_ID, BOT_REPLIES, bot.displayName, LOREM],
    );
    await client.query(
      `UPDATE "ChatSession" s SET "lastMessageId" = m.id, "lastMessageContent" = left(m.content, 100),
              "lastMessageSenderType" = m."senderType", "lastMessageAt" = m."createdAt"
       FROM "Message" m WHERE m."sessionId" = s.id AND m.seq = s."messageCount" AND s.id = $1`,
      [SESSION_ID],
    );
    await client.query("COMMIT");
    await client.query(`ANALYZE "Message"`);
    const { rows } = await client.query<{ ok: boolean }>(
      `SELECT count(*) = s."messageCount" AND min(m.seq) = 1 AND max(m.seq) = s."messageCount"
              AND count(*) FILTER (WHERE m."senderType" = 'bot' AND m.status = 'delivered') = s."unreadCount"
              AND max(m."createdAt") = s."lastActiveAt" AND bool_or(m.id = s."lastMessageId" AND m.seq = s."messageCount"
                  AND s."lastMessageContent" = left(m.content, 100) AND s."lastMessageAt" = m."createdAt") AS ok
       FROM "ChatSession" s JOIN "Message" m ON m."sessionId" = s.id WHERE s.id = $1
       GROUP BY s.id, s."messageCount", s."unreadCount", s."lastActiveAt"`,
      [SESSION_ID],
    );
    if (!rows[0]?.ok) throw new Error("the thread's data breaks the counter invariants");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * Runs in the page before any of its scripts: the monitors the measurement reads. A string, not a
 * function: tsx compiles named functions with a `__name` helper that the page does not have.
 */
const MONITORS = `(() => {
  const bench = { longTasks: [], longFrames: [], frames: [] };
  window.__bench = bench;
  const observe = (type, on) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(on)).observe({ type, buffered: true });
    } catch {}
  };
  observe("longtask", (e) => bench.longTasks.push([e.startTime, e.duration]));
  observe("long-animation-frame", (e) => {
    if (e.duration < 50) return;
    bench.longFrames.push({
      start: e.startTime,
      duration: e.duration,
      blocking: e.blockingDuration || 0,
      scripts: (e.scripts || []).filter((s) => s.duration >= 5).map((s) =>
        Math.round(s.duration) + " ms " + s.invoker + " " + (s.sourceFunctionName || "?") + " @ " + s.sourceURL.replace(/^.*\\/_next\\//, "") + ":" + s.sourceCharPosition),
    });
  });
  // Every frame: [time, gap since the previous frame, message elements in the DOM, messages in
  // view still showing plain text while their markdown renders].
  let last = -1;
  const pendingInView = () => {
    const pending = document.querySelectorAll("[data-markdown-pending]");
    if (!pending.length) return 0;
    const box = document.querySelector('[role="log"][aria-label="Messages"]')?.getBoundingClientRect();
    if (!box) return 0;
    let n = 0;
    for (const p of pending) {
      const r = p.getBoundingClientRect();
      if (r.bottom > box.top && r.top < box.bottom) n++;
    }
    return n;
  };
  // Pixels of the view that no message covers although messages should be there (not the space
  // above the first or below the last message of the thread): rows not mounted yet as it scrolls.
  const uncoveredInView = () => {
    const box = document.querySelector('[role="log"][aria-label="Messages"]');
    if (!box) return 0;
    const view = box.getBoundingClientRect();
    const rows = [...document.querySelectorAll('[data-testid="message"]')]
      .map((row) => row.getBoundingClientRect())
      .filter((r) => r.bottom > view.top && r.top < view.bottom)
      .sort((a, b) => a.top - b.top);
    const atStart = box.scrollTop < 80;
    const atEnd = box.scrollTop + box.clientHeight > box.scrollHeight - 80;
    if (!rows.length) return atStart && atEnd ? 0 : view.height;
    let gap = 0;
    let covered = atStart ? rows[0].top : view.top;
    for (const r of rows) {
      if (r.top > covered) gap += r.top - covered;
      covered = Math.max(covered, r.bottom);
    }
    if (!atEnd && covered < view.bottom) gap += view.bottom - covered;
    return Math.round(gap);
  };
  const tick = (t) => {
    bench.frames.push([t, last < 0 ? 0 : t - last, document.querySelectorAll('[data-testid="message"]').length, pendingInView(), uncoveredInView()]);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

type Collected = {
  longTasks: [number, number][];
  longFrames: { start: number; duration: number; blocking: number; scripts: string[] }[];
  frames: [number, number, number, number, number][];
};

const percentile = (values: number[], p: number) => {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

function plainStats(perFrame: number[]): PlainStats {
  let run = 0;
  let longestRun = 0;
  for (const p of perFrame) {
    run = p > 0 ? run + 1 : 0;
    longestRun = Math.max(longestRun, run);
  }
  return { frames: perFrame.filter((p) => p > 0).length, longestRun };
}

function windowStats(c: Collected, from: number, to: number): Window {
  // A long task belongs to the window it overlaps.
  const tasks = c.longTasks.filter(([start, d]) => start < to && start + d > from).map(([, d]) => d);
  const frames = c.frames.filter(([t]) => t > from && t <= to);
  const gaps = frames.map(([, gap]) => gap);
  return {
    ms: to - from,
    longTasks: { count: tasks.length, max: Math.max(0, ...tasks), p95: percentile(tasks, 95), total: tasks.reduce((s, d) => s + d, 0) },
    frames: { frames: gaps.length, max: Math.max(0, ...gaps), p95: percentile(gaps, 95), over50: gaps.filter((g) => g > 50).length },
    maxDom: Math.max(0, ...frames.map(([, , n]) => n)),
    plainInView: plainStats(frames.map(([, , , p]) => p)),
    uncovered: { ...plainStats(frames.map(([, , , , u]) => (u > 2 ? 1 : 0))), maxPx: Math.max(0, ...frames.map(([, , , , u]) => u)) },
  };
}

type Profile = {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  samples?: number[];
  timeDeltas?: number[];
};

/** Self time by function and by script of a CPU profile (minified names: position in the chunk). */
function summarizeProfile(profile: Profile): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  const byUrl = new Map<string, number>();
  let total = 0;
  (profile.samples ?? []).forEach((id, i) => {
    const frame = byId.get(id)!;
    const dt = (profile.timeDeltas?.[i + 1] ?? 0) / 1000;
    const url = frame.url.replace(/^.*\/_next\//, "") || "(native)";
    const key = `${frame.functionName || "(anonymous)"} ${url}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    byUrl.set(url, (byUrl.get(url) ?? 0) + dt);
    total += dt;
  });
  const top = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `  ${v.toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
  return [`  total ${total.toFixed(0)} ms`, "  by script:", ...top(byUrl, 12), "  by function:", ...top(self, 40)].join("\n");
}

export type StartApp = (name: string, env: Record<string, string>) => Promise<{ base: string; child: Child }>;

export async function measureThread(options: {
  startApp: StartApp;
  passwordHash: string;
  password: string;
  say: (line: string) => void;
  loadavg: () => string;
}): Promise<ThreadResult> {
  const { say } = options;
  const started = performance.now();
  const loadBefore = options.loadavg();
  const wheel = { deltaPx: Number(process.env.BENCH_THREAD_WHEEL ?? 1000), pauseMs: Number(process.env.BENCH_THREAD_PAUSE ?? 10) };
  const stops: (() => Promise<void>)[] = [];
  try {
    const dataDir = await tempDir("pitchat-bench-thread-");
    const dbPort = await freePort();
    say("thread: `npm start` on a fresh embedded database …");
    const app = await options.startApp("app-thread", { PITCHAT_DATA_DIR: dataDir, PITCHAT_DB_PORT: String(dbPort) });
    stops.push(app.child.stop);
    const loadStarted = performance.now();
    await loadThread(`postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres?sslmode=disable`, options.passwordHash);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    say(`thread: ${MESSAGES.toLocaleString("en")} messages loaded in ${loadSeconds.toFixed(1)} s`);

    // The launch options and device of the end-to-end suite. Importing the config makes it create
    // a data dir for its web server unless E2E_DATA_DIR names one: give it a temp dir of ours.
    process.env.E2E_DATA_DIR ??= await tempDir("pitchat-bench-e2e-config-");
    const { default: config } = await import("../../playwright.config");
    const { chromium } = await import("@playwright/test");
    const device = config.projects?.[0]?.use ?? {};
    const browser: Browser = await chromium.launch({ ...config.use?.launchOptions, headless: true });
    stops.push(onCleanup("chromium", () => browser.close(), () => {}));
    const { defaultBrowserType: _type, ...contextOptions } = device as typeof device & { defaultBrowserType?: string };
    void _type;
    const context = await browser.newContext({ ...contextOptions, baseURL: app.base });
    const page = await context.newPage();
    await page.addInitScript({ content: MONITORS });
    const now = () => page.evaluate(() => performance.now());

    await page.goto("/signin");
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByLabel("Password").fill(options.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/chat(\/|$)/, { timeout: 60_000 });
    const row = page.getByRole("navigation", { name: "Sessions" }).getByRole("link", { name: TITLE, exact: true });
    await row.waitFor({ timeout: 60_000 });
    await sleep(1_000);

    // ---- Open ----
    // BENCH_THREAD_OPEN_PROFILE=file.cpuprofile: a CPU profile of the page while it opens the thread
    // (for finding what its longest task does; the figures of such a run are not the measurement).
    const openProfileTo = process.env.BENCH_THREAD_OPEN_PROFILE;
    const openCdp = openProfileTo ? await context.newCDPSession(page) : undefined;
    if (openCdp) {
      await openCdp.send("Profiler.enable");
      await openCdp.send("Profiler.setSamplingInterval", { interval: 100 });
      await openCdp.send("Profiler.start");
    }
    const log = page.getByRole("log", { name: "Messages" });
    const openFrom = await now();
    await row.click();
    await log.locator(`[data-testid="message"][data-seq="${MESSAGES}"]`).waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => {
      const el = document.querySelector<HTMLElement>('[role="log"][aria-label="Messages"]');
      return !!el && el.scrollHeight > el.clientHeight && el.scrollHeight - el.scrollTop - el.clientHeight < 4;
    }, undefined, { timeout: 60_000 });
    const newestAt = await now();
    await sleep(1_000);
    const openTo = await now();
    if (openCdp && openProfileTo) {
      const { profile } = await openCdp.send("Profiler.stop");
      await writeFile(openProfileTo, JSON.stringify(profile));
      await openCdp.detach();
    }
    say(`thread: opened, newest message in view after ${(newestAt - openFrom).toFixed(0)} ms`);

    // ---- Wheel up to the oldest message, every older page loading on the way ----
    const box = (await log.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // Read with a plain selector: a role locator would walk the page's accessibility tree at every step.
    const state = () =>
      page.evaluate(() => {
        const el = document.querySelector<HTMLElement>(`[role="log"][aria-label="Messages"]`)!;
        const seqs = [...el.querySelectorAll<HTMLElement>("[data-testid=message][data-seq]")].map((m) => Number(m.dataset.seq));
        return { top: el.scrollTop, fromEnd: el.scrollHeight - el.scrollTop - el.clientHeight, oldest: Math.min(...seqs) };
      });
    // A wheel step, a pause, a look; until `done`, or until the time limit (then incomplete).
    const limitMs = Number(process.env.BENCH_THREAD_LIMIT_MS ?? 150_000);
    const wheelUntil = async (direction: "up" | "down", done: (s: Awaited<ReturnType<typeof state>>) => boolean) => {
      const t0 = performance.now();
      for (let steps = 1; ; steps++) {
        await page.mouse.wheel(0, direction === "up" ? -wheel.deltaPx : wheel.deltaPx);
        await sleep(wheel.pauseMs);
        const s = await state();
        if (done(s)) return { steps, complete: true };
        if (performance.now() - t0 > limitMs) {
          say(`thread: gave up wheeling ${direction} after ${limitMs / 1000} s (oldest message in the DOM ${s.oldest}, ${Math.round(s.fromEnd)} px from the end)`);
          return { steps, complete: false };
        }
        if (steps % 500 === 0) say(`thread: wheeling ${direction}, ${steps} steps, oldest message in the DOM ${s.oldest}`);
      }
    };

    // ---- Reading position: slow wheel steps up from the newest, each given time to settle ----
    // The message at the middle of the view must move by the wheel's distance exactly: whatever
    // rows above it do (measured, re-measured, an older page prepended) must not move it further.
    const probe = { steps: Number(process.env.BENCH_THREAD_PROBE_STEPS ?? 40), deltaPx: 300, pauseMs: 400 };
    const middleRow = () =>
      page.evaluate(() => {
        const el = document.querySelector<HTMLElement>(`[role="log"][aria-label="Messages"]`)!;
        const box = el.getBoundingClientRect();
        const mid = box.top + box.height / 2;
        for (const row of el.querySelectorAll<HTMLElement>("[data-testid=message][data-seq]")) {
          const r = row.getBoundingClientRect();
          if (r.top <= mid && r.bottom > mid) return { seq: row.dataset.seq!, y: r.top, scrollTop: el.scrollTop };
        }
        return null;
      });
    const rowY = (seq: string) => page.evaluate((seq) => document.querySelector(`[data-testid=message][data-seq="${seq}"]`)?.getBoundingClientRect().top ?? null, seq);
    const shifts: number[] = [];
    const probeFrom = await now();
    for (let i = 0; i < probe.steps; i++) {
      const before = await middleRow();
      await page.mouse.wheel(0, -probe.deltaPx);
      await sleep(probe.pauseMs);
      const after = before && (await rowY(before.seq));
      const scrollTop = (await state()).top;
      // Only steps that scrolled the whole distance: not those that met the top while a page loaded.
      if (before && after !== null && after !== undefined && before.scrollTop >= probe.deltaPx + 100 && scrollTop > 50) shifts.push(after - before.y - probe.deltaPx);
    }
    const probeTo = await now();
    const absShifts = shifts.map((d) => Math.abs(d));
    const position = {
      ...probe,
      measured: shifts.length,
      over2px: absShifts.filter((d) => d > 2).length,
      maxShiftPx: Math.max(0, ...absShifts),
    };
    say(`thread: reading position over ${shifts.length} slow wheel steps: ${position.over2px} moved the message in view by more than 2 px (max ${position.maxShiftPx.toFixed(0)} px)`);

    // BENCH_THREAD_PROFILE=file.cpuprofile: a CPU profile of the scrolling (for finding causes; it
    // slows the page down, so the figures of such a run are not the measurement).
    const profileTo = process.env.BENCH_THREAD_PROFILE;
    // BENCH_THREAD_CPU_SLOWDOWN=4: the page's CPU slowed down that many times for the scrolling
    // (Chromium's throttling, as DevTools offers it). For comparing two builds' work per frame: a
    // change too small to move the few long tasks of a normal run moves their count at 4×. Such a
    // run's figures are not the measurement either.
    const slowdown = Number(process.env.BENCH_THREAD_CPU_SLOWDOWN ?? 1);
    const cdp = profileTo || slowdown > 1 ? await context.newCDPSession(page) : undefined;
    if (cdp && slowdown > 1) await cdp.send("Emulation.setCPUThrottlingRate", { rate: slowdown });
    if (cdp && profileTo) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 250 });
      await cdp.send("Profiler.start");
    }
    // BENCH_THREAD_TRACE=file.json: a Chromium performance trace of the scrolling (open it in the
    // DevTools Performance panel); combine with BENCH_THREAD_LIMIT_MS to keep it small.
    const traceTo = process.env.BENCH_THREAD_TRACE;
    if (traceTo) {
      await browser.startTracing(page, {
        path: traceTo,
        categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-devtools.timeline.frame", "v8", "v8.execute", "blink.user_timing", "loading", "latencyInfo", "disabled-by-default-v8.gc"],
      });
    }
    const upFrom = await now();
    const up = await wheelUntil("up", (s) => s.oldest === 1 && s.top < 1);
    const upTo = await now();
    say(`thread: ${up.complete ? "at the oldest message" : "stopped"} after ${up.steps} wheel steps, ${((upTo - upFrom) / 1000).toFixed(1)} s`);
    // Every older page was fetched on the way: the first page plus these reach message 1.
    const pagesLoaded = Math.ceil((MESSAGES - (await state()).oldest + 1) / PAGE) - 1;

    // ---- Wheel down to the newest ----
    const down = await wheelUntil("down", (s) => s.fromEnd < 2);
    await sleep(300);
    const downTo = await now();
    say(`thread: ${down.complete ? "back at the newest" : "stopped"} after ${down.steps} wheel steps, ${((downTo - upTo) / 1000).toFixed(1)} s`);
    const newestInDom = (await log.locator(`[data-seq="${MESSAGES}"]`).count()) === 1;
    const scrollHeightPx = await log.evaluate((el) => el.scrollHeight);
    const heapMB = await page.evaluate(() => ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 2 ** 20);
    if (traceTo) {
      await browser.stopTracing();
      say(`thread: trace of the scrolling written to ${traceTo}`);
    }
    if (cdp && profileTo) {
      const { profile } = await cdp.send("Profiler.stop");
      await writeFile(profileTo, JSON.stringify(profile));
      say(`thread: CPU profile of the scrolling written to ${profileTo}; self time by function:\n${summarizeProfile(profile)}`);
    }

    const collected = await page.evaluate(() => (window as unknown as { __bench: Collected }).__bench);
    const all = windowStats(collected, openFrom, downTo);
    const label = (start: number) => (start < openTo ? "open" : start < probeTo ? "slow wheel up" : start < upTo ? "wheel up" : "wheel down");
    const result: ThreadResult = {
      messages: MESSAGES,
      pages: Math.ceil(MESSAGES / PAGE),
      browser: `${browser.browserType().name()} ${browser.version()}`,
      viewport: `${page.viewportSize()?.width}×${page.viewportSize()?.height}`,
      wheel: { ...wheel, stepsUp: up.steps, stepsDown: down.steps },
      complete: up.complete && down.complete && newestInDom,
      scrollHeightPx,
      heapMB,
      loadSeconds,
      open: { ...windowStats(collected, openFrom, openTo), msToNewest: newestAt - openFrom },
      position: { ...windowStats(collected, probeFrom, probeTo), ...position },
      scrollUp: { ...windowStats(collected, upFrom, upTo), pagesLoaded },
      scrollDown: windowStats(collected, upTo, downTo),
      scroll: windowStats(collected, probeFrom, downTo),
      maxDom: all.maxDom,
      domSamples: collected.frames.filter(([t]) => t > openFrom && t <= downTo).length,
      totalSeconds: 0,
      load: { before: loadBefore, after: "" },
      longestFrames: collected.longFrames
        .filter((f) => f.start + f.duration > openFrom && f.start < downTo)
        .sort((a, b) => b.blocking - a.blocking || b.duration - a.duration)
        .slice(0, 8)
        .map((f) => ({ phase: label(f.start), duration: Math.round(f.duration), blocking: Math.round(f.blocking), scripts: f.scripts.slice(0, 6) })),
    };
    result.load.after = options.loadavg();
    result.totalSeconds = (performance.now() - started) / 1000;
    return result;
  } finally {
    for (const stop of stops.reverse()) await stop().catch((e: Error) => say(`stopping: ${e.message}`));
  }
}
