/**
 * A small OpenAI-compatible server for tests, on 127.0.0.1: `POST /v1/chat/completions` with
 * `stream: true`, answering in SSE chunks as the real API does. What it does depends on the last
 * user message, so a test chooses the path by what it sends:
 *   "fail 500" → HTTP 500 · "fail 401" → HTTP 401 · "hang" → headers, then nothing
 *   "malformed" → a chunk that is not JSON · "cut" → two chunks, then the connection drops
 *   "dawdle" → words every 200 ms for a long time · anything else → "Echo: <message>" in pieces.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type RecordedRequest = { headers: IncomingMessage["headers"]; body: { model: string; stream: boolean; messages: { role: string; content: string }[] } };

export async function startFakeOpenAI() {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server: Server = createServer(async (req, res) => {
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404).end();
      return;
    }
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw) as RecordedRequest["body"];
    requests.push({ headers: req.headers, body });
    const last = body.messages.filter((m) => m.role === "user").at(-1)?.content ?? "";
    const chunk = (content: string | null, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: body.model, choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;

    if (last.startsWith("fail ")) {
      const status = Number(last.slice(5));
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "nope", type: "test" } }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    if (last === "hang") return; // headers only; the client must give up
    if (last === "malformed") {
      res.write(chunk("Hi"));
      res.end("data: {this is not json\n\n");
      return;
    }
    if (last === "cut") {
      res.write(chunk("Half "));
      res.write(chunk("a reply"));
      setTimeout(() => res.socket?.destroy(), 50);
      return;
    }
    if (last === "dawdle") {
      const timer = setInterval(() => res.write(chunk("slowly ")), 200);
      res.on("close", () => clearInterval(timer));
      return;
    }
    for (const piece of ["Echo", ": ", ...last.split(/(?<= )/)]) {
      res.write(chunk(piece));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    res.write(chunk(null, "stop"));
    res.end("data: [DONE]\n\n");
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
