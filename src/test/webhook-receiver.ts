/**
 * A small webhook service for tests (server tests, and the browser suite's Hook bot), on 127.0.0.1
 * (a free port unless one is given): it verifies each request's Standard Webhooks
 * signature with the reference library (refusing a bad signature or a stale timestamp with 401, as
 * a real service should), records it, and answers by the message's content:
 *   "later" → 202, no body (the reply comes through POST /api/bot/messages) · "reject" → 400
 *   "boom" → 500 · "stall" → no answer for 2 s · anything else → 200 { content: "Got: <content>" }.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import type { Message } from "@/shared";

export type Delivery = {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { session: { id: string; title: string }; message: Message; history: Message[]; bot: { id: string } };
  verified: boolean;
};

export async function startWebhookReceiver(secret: string, port = 0) {
  const verifier = new Webhook(secret);
  const deliveries: Delivery[] = [];
  const server = createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    let verified = true;
    try {
      verifier.verify(raw, {
        "webhook-id": String(req.headers["webhook-id"]),
        "webhook-timestamp": String(req.headers["webhook-timestamp"]),
        "webhook-signature": String(req.headers["webhook-signature"]),
      });
    } catch {
      verified = false;
    }
    const body = JSON.parse(raw) as Delivery["body"];
    deliveries.push({ headers: req.headers, raw, body, verified });
    if (!verified) return void res.writeHead(401).end();
    const content = body.message.content;
    if (content === "later") return void res.writeHead(202).end();
    if (content === "reject") return void res.writeHead(400).end("no");
    if (content === "boom") return void res.writeHead(500).end("down");
    if (content === "stall") {
      setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ content: "too late" })), 2_000);
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ content: `Got: ${content}` }));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries,
    verifier,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
