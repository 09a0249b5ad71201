/**
 * One load measurement with autocannon: a warm-up that is thrown away, then `seconds` of load from
 * `connections` concurrent keep-alive clients. Latencies are taken from autocannon's per-response
 * event (fractional milliseconds; its own histogram rounds to whole ms) and every non-2xx answer or
 * socket error counts as an error.
 */
import autocannon from "autocannon";
import { treeCpuMs } from "./cpu";

export type Endpoint = {
  /** http://127.0.0.1:port */
  base: string;
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  /** For POST: a fresh body per request (distinct clientIds and so on). */
  body?: () => string;
  /** Headers, body (and path) per request, replacing `headers` and `body` (requests of several users). */
  perRequest?: () => { headers: Record<string, string>; body?: string; path?: string };
  /** The server's processes (each with its tree): their CPU time per request is reported beside the throughput. */
  pid?: number | number[];
  /** The PostgreSQL server's postmaster, when the bench runs it: its CPU per request too. */
  pgPid?: number;
};

export type Measurement = {
  requests: number;
  errors: number;
  non2xx: number;
  seconds: number;
  /** Completed 2xx requests per second. */
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
  /** CPU milliseconds per completed request: the server's process tree, and PostgreSQL's (NaN when unknown). */
  cpuMs: number;
  pgCpuMs: number;
};

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function run(endpoint: Endpoint, connections: number, seconds: number): Promise<Measurement> {
  const serverCpu = () => [endpoint.pid ?? []].flat().reduce((sum, pid) => sum + treeCpuMs(pid), 0) || NaN;
  const cpu0 = serverCpu();
  const pg0 = treeCpuMs(endpoint.pgPid);
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let non2xx = 0;
    let firstError: string | undefined;
    const started = performance.now();
    const instance = autocannon(
      {
        url: endpoint.base,
        connections,
        duration: seconds,
        pipelining: 1,
        timeout: 30,
        requests: [
          {
            method: endpoint.method,
            path: endpoint.path,
            headers: endpoint.headers,
            ...(endpoint.perRequest
              ? { setupRequest: (req: autocannon.Request) => ({ ...req, ...endpoint.perRequest!() }) }
              : endpoint.body
                ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: endpoint.body!() }) }
                : {}),
            onResponse: (status: number, body: string) => {
              if ((status < 200 || status > 299) && !firstError) firstError = `${status} ${String(body).slice(0, 300)}`;
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const elapsed = (performance.now() - started) / 1000;
        latencies.sort((a, b) => a - b);
        const sum = latencies.reduce((a, b) => a + b, 0);
        const errors = result.errors + result.timeouts;
        if ((errors || non2xx) && firstError) console.error(`    first error: ${firstError}`);
        resolve({
          requests: latencies.length,
          errors,
          non2xx,
          seconds: elapsed,
          throughput: latencies.length / (result.duration || elapsed),
          p50: percentile(latencies, 50),
          p90: percentile(latencies, 90),
          p99: percentile(latencies, 99),
          mean: latencies.length ? sum / latencies.length : NaN,
          max: latencies[latencies.length - 1] ?? NaN,
          cpuMs: (serverCpu() - cpu0) / (latencies.length + non2xx),
          pgCpuMs: (treeCpuMs(endpoint.pgPid) - pg0) / (latencies.length + non2xx),
        });
      },
    );
    instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode <= 299) latencies.push(responseTime);
      else non2xx++;
    });
  });
}

export async function measure(endpoint: Endpoint, options: { connections: number; seconds: number; warmupSeconds: number }): Promise<Measurement> {
  if (options.warmupSeconds > 0) await run(endpoint, options.connections, options.warmupSeconds);
  return run(endpoint, options.connections, options.seconds);
}
