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
