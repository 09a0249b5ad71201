import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { SSE_RETRY_MS, withStreamRetry, writeStreamRetry } from "./http";

const RETRY = `retry: ${SSE_RETRY_MS}\n\n`;
const EVENTS = 'event: connected\ndata: {}\n\ndata: {"a":1}\n\n';

describe("the reconnect delay ahead of a live stream", () => {
  it("the fetch route (next dev): an event stream gets it first, anything else is left as it is", async () => {
    const stream = withStreamRetry(new Response(EVENTS, { headers: { "content-type": "text/event-stream" } }));
    expect(await stream.text()).toBe(RETRY + EVENTS);
    const json = new Response('{"ok":true}', { headers: { "content-type": "application/json" } });
    expect(withStreamRetry(json)).toBe(json);
  });

  it("node:http: written once, before the first chunk, and only on an event stream", async () => {
    const server = createServer((req, res) => {
      writeStreamRetry(res);
      res.setHeader("content-type", req.url === "/sse" ? "text/event-stream" : "application/json");
      res.write(req.url === "/sse" ? "event: connected\ndata: {}\n\n" : '{"ok":');
      res.end(req.url === "/sse" ? 'data: {"a":1}\n\n' : "true}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${base}/sse`)).text()).toBe(RETRY + EVENTS);
      expect(await (await fetch(`${base}/json`)).text()).toBe('{"ok":true}');
    } finally {
      server.close();
    }
  });
});
