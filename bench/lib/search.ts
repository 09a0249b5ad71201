/**
 * Issue 13: `chat.search({ query, cursor? })` at the reference data, p50 and p99, one client at a
 * time (what a person typing sees) and under the bench's concurrent clients. Skipped, with the
 * reason in the report, when the router has no `chat.search`. The queries span what the planner
 * faces: a word in 94 % of the messages (the user's newest matches, read by the per-user index), in
 * 6 %, in 1 % (the worst case: neither the GIN index nor the newest-first walk is short), a phrase
 * from one message of the big session, and a word in none.
 */
import { trpcQuery, trpcQueryPath } from "./http";
import { measure, type Endpoint, type Measurement } from "./measure";

export type SearchResult = { query: string; what: string; hits: number; single: Measurement; loaded: Measurement }[];

export const SEARCH_QUERIES = [
  { query: "consectetur", what: "a word in 94 % of messages" },
  { query: "cillum", what: "a word in 6 % of messages" },
  { query: "pariatur", what: "a word in 1 % of messages (the worst case)" },
  { query: "Message 12345:", what: "one message of the big session" },
  { query: "zyzzyva", what: "a word in no message" },
];

export async function measureSearch(options: {
  base: string;
  cookie: string;
  connections: number;
  seconds: number;
  pid?: number;
  pgPid?: number;
  say: (line: string) => void;
}): Promise<SearchResult> {
  const out: SearchResult = [];
  for (const { query, what } of SEARCH_QUERIES) {
    const first = await trpcQuery<Record<string, unknown>>(options.base, options.cookie, "chat.search", { query });
    const hits = Array.isArray(first.results) ? first.results.length : Array.isArray(first.messages) ? first.messages.length : NaN;
    const endpoint: Endpoint = { base: options.base, method: "GET", path: trpcQueryPath("chat.search", { query }), headers: { cookie: options.cookie }, pid: options.pid, pgPid: options.pgPid };
    const single = await measure(endpoint, { connections: 1, seconds: options.seconds, warmupSeconds: 1 });
    const loaded = await measure(endpoint, { connections: options.connections, seconds: options.seconds, warmupSeconds: 0 });
    options.say(`  search "${query}": ${hits} on the first page; p50 ${single.p50.toFixed(1)} ms, p99 ${single.p99.toFixed(1)} ms alone; ${Math.round(loaded.throughput)}/s with ${options.connections} clients`);
    out.push({ query, what, hits, single, loaded });
  }
  return out;
}
