/**
 * Where a request's CPU goes, by layer (BENCH_PROFILE=1): the app runs once more with V8's CPU
 * profiler preloaded (lib/cpu-profile.cjs), each call is loaded as in the measurements while the
 * profiler samples the server, and every sample's own (self) time is given to the layer of the
 * code it was in, the production build's source maps turning bundle positions back into packages
 * and files. The shares are then applied to the CPU time per request the unprofiled app used in
 * the measurements, so the milliseconds are the app's, not the profiler's.
 *
 * Self time is where the CPU was, not who asked for it: JSON.stringify shows under the tRPC
 * function that calls it, and a profile taken on a loaded machine counts a descheduled moment
 * against whatever was on the stack, so read the shares, and the sums, not the last digit.
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

type Frame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type Profile = { nodes: { id: number; callFrame: Frame }[]; samples: number[]; timeDeltas: number[] };

/** Layers in the order a sample is tested against them; the first that matches takes it. */
export const LAYERS: [string, (file: string, name: string) => boolean][] = [
  ["garbage collection", (_f, n) => n === "(garbage collector)"],
  ["JSON.stringify of the answer (in tRPC)", (f, n) => /resolveResponse/.test(f) && /^[a-zA-Z]$/.test(n)],
  ["superjson format (output serializer, input)", (f) => /superjson|copy-anything|api\/transformer\.ts/.test(f)],
  ["Zod (input and output validation)", (f) => /node_modules\/zod\//.test(f)],
  ["tRPC (HTTP adapter, procedure calls)", (f) => /@trpc\//.test(f)],
  ["NextAuth session token (jose, HKDF, AES)", (f, n) => /next-auth|jose|panva|lru-cache/.test(f) || /hkdf|HKDF|Cipher|crypto\/keys/.test(f + n)],
  ["Prisma client and adapter", (f) => /@prisma\/|wasm:/.test(f)],
  ["pg driver", (f) => /node_modules\/pg(-[a-z]+)?\//.test(f)],
  ["Next (router, route runtime, its Date wrapper)", (f) => /node_modules\/next\/|@opentelemetry|path-to-regexp|\[turbopack\]|build-base\.ts/.test(f)],
  ["web Request/Response, web streams, AbortSignal", (f, n) => /undici|webstreams|abort_controller|event_target|domexception|internal\/url|encoding/.test(f) || /DOMException|SafeWeakRef/.test(n)],
  ["compression middleware", (f) => /node_modules\/(compression|on-headers|compressible|negotiator|vary)\//.test(f)],
  ["node:http, sockets (writev), event loop", (f, n) =>
    /_http_|node:net|stream_base|internal\/streams|node:events|node:buffer|timers|task_queues|async_hooks|async_context/.test(f) ||
    ["writev", "writeUtf8String", "utf8Slice", "writeBuffer", "runMicrotasks", "latin1Slice", "asciiSlice", "(program)"].includes(n)],
  ["the app's own code (src/, scripts/)", (f) => /\/src\/|scripts\//.test(f)],
];
const IGNORED = new Set(["(idle)", "(root)"]);

export type Breakdown = { samplesMs: number; layers: { layer: string; share: number }[] };

export function breakdown(file: string): Breakdown {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (url: string) => {
    if (!url.includes("/.next/")) return null;
    if (!maps.has(url)) {
      let map: SourceMap | null = null;
      try {
        const path = url.startsWith("file:") ? fileURLToPath(url) : url;
        if (existsSync(`${path}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, "utf8")));
      } catch {
        // no map: the bundle's own position stands
      }
      maps.set(url, map);
    }
    return maps.get(url)!;
  };
  const layerOf = new Map<number, string | null>();
  for (const node of profile.nodes) {
    const { url, functionName, lineNumber, columnNumber } = node.callFrame;
    if (IGNORED.has(functionName) || url === "node:inspector") {
      layerOf.set(node.id, null);
      continue;
    }
    const entry = mapOf(url)?.findEntry(lineNumber, columnNumber) as { originalSource?: string; name?: string } | undefined;
    const file = decodeURIComponent(entry?.originalSource ?? url);
    const name = entry?.name ?? functionName;
    layerOf.set(node.id, LAYERS.find(([, test]) => test(file, name))?.[0] ?? "other (Node internals, small libraries)");
  }
  const time = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const layer = layerOf.get(id);
    if (!layer) return;
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    time.set(layer, (time.get(layer) ?? 0) + dt);
    total += dt;
  });
  return {
    samplesMs: total,
    layers: [...time].sort((a, b) => b[1] - a[1]).map(([layer, ms]) => ({ layer, share: ms / total })),
  };
}
