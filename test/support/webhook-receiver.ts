import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

// A real HTTP receiver for outbound webhook tests (db, e2e, bench): records every request as received (raw body
// and headers, for Standard Webhooks verification) and answers with the status a test script chooses.

export type ReceivedWebhook = { headers: IncomingHttpHeaders; body: string; receivedAt: number; path: string };

export type TestWebhookReceiver = {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** The status for the next requests: a queue, then `fallback` (200). */
  answers: number[];
  fallback: number;
  /** Holds every request open (never answered) while true: a receiver that hangs. */
  hang: boolean;
  /** Sent as `Retry-After` on non-2xx answers while set. */
  retryAfter: string | null;
  close: () => Promise<void>;
};

export async function startWebhookReceiver(options: { port?: number; host?: string; onRequest?: (r: ReceivedWebhook) => void } = {}): Promise<TestWebhookReceiver> {
  const state = { answers: [] as number[], fallback: 200, hang: false, retryAfter: null as string | null };
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), receivedAt: Date.now(), path: req.url ?? "/" };
      received.push(entry);
      options.onRequest?.(entry);
      if (receiver.hang) return;
      const status = receiver.answers.shift() ?? receiver.fallback;
      const retry = status >= 300 && receiver.retryAfter ? { "retry-after": receiver.retryAfter } : {};
      res.writeHead(status, { "content-type": "text/plain", "x-request-id": `rcv-${received.length}`, ...retry }).end(status < 300 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const receiver: TestWebhookReceiver = {
    url: `http://${options.host ?? "127.0.0.1"}:${port}/hooks`,
    port,
    received,
    ...state,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return receiver;
}
