import type { ServerResponse } from "node:http";

/** Limits applied to the raw request before tRPC sees it. */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_BATCH_SIZE = 50;

/**
 * The request with its body read into memory, or a 413 response when the body exceeds the limit.
 * Content-Length is checked first, so an honest oversized request is refused before it is read;
 * a chunked one is cut off as soon as it passes the limit.
 */
export async function withBodyLimit(req: Request, limit = MAX_BODY_BYTES): Promise<Request | Response> {
  const tooLarge = () =>
    Response.json({ error: { message: `Request body exceeds ${limit} bytes`, code: "PAYLOAD_TOO_LARGE" } }, { status: 413 });
  if (!req.body) return req;
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (declared > limit) return tooLarge();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return tooLarge();
    }
    chunks.push(value);
  }
  return new Request(req.url, { method: req.method, headers: req.headers, body: Buffer.concat(chunks), signal: req.signal });
}

/**
 * How soon a browser reconnects a live stream that ended, in the stream's own `retry:` field (sent
 * first). Streams end by design every few minutes (sse.maxDurationMs, without tRPC's `return`
 * event, so the EventSource reconnects by itself, resuming after its Last-Event-ID) and when an
 * instance restarts; without the field the browser waits its default of about 3 s (Chromium), with
 * the thread's live updates paused meanwhile. Reconnects the server refuses go through the client's
 * retryLink and its back-off instead.
 */
export const SSE_RETRY_MS = 500;
const RETRY_FIELD = `retry: ${SSE_RETRY_MS}\n\n`;

const isEventStream = (contentType: string | number | string[] | null | undefined) => /^text\/event-stream/i.test(String(contentType ?? ""));

/** The fetch adapter's answer, with the reconnect delay ahead of an event stream. */
export function withStreamRetry(response: Response): Response {
  if (!response.body || !isEventStream(response.headers.get("content-type"))) return response;
  const hint = new TextEncoder().encode(RETRY_FIELD);
  const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ start: (controller) => controller.enqueue(hint) }));
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** The node adapter's response: the reconnect delay written ahead of its first chunk, if that is of an event stream. */
export function writeStreamRetry(res: ServerResponse): ServerResponse {
  const write = res.write as (this: ServerResponse, ...args: unknown[]) => boolean;
  res.write = function (this: ServerResponse, ...args: unknown[]) {
    res.write = write as ServerResponse["write"];
    if (isEventStream(res.getHeader("content-type"))) write.call(this, RETRY_FIELD);
    return write.apply(this, args);
  } as ServerResponse["write"];
  return res;
}
