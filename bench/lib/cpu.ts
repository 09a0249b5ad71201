/**
 * CPU time of a process tree, from /proc: what a server spent, whatever else the shared machine was
 * doing meanwhile. Throughput on these machines moves by half between runs; CPU time per request
 * moves far less, so the report gives both. Linux only; elsewhere it reads as unknown (NaN).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on every Linux we run on

type Stat = { ppid: number; ms: number };

function readStats(): Map<number, Stat> {
  const stats = new Map<number, Stat>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command (which may hold spaces and parentheses): state ppid … utime stime cutime cstime.
      const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
      // Children that exited and were waited for count in their parent's cutime/cstime (a PostgreSQL
      // backend whose connection closed, a gunicorn worker replaced), so the total never drops.
      stats.set(Number(entry), { ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS });
    } catch {
      // gone meanwhile
    }
  }
  return stats;
}

/** CPU milliseconds used so far by `root` and every process below it (NaN when unknown). */
export function treeCpuMs(root: number | undefined): number {
  if (!root || !existsSync("/proc/self/stat")) return NaN;
  const stats = readStats();
  if (!stats.has(root)) return NaN;
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += stats.get(pid)?.ms ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Resident memory of one process in bytes (NaN when unknown). */
export function rssBytes(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : NaN;
  } catch {
    return NaN;
  }
}
