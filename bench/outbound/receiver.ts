import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

// The two local HTTP servers of the outbound benchmark, both in the bench process (one clock for every timing):
// the partner's endpoint, which verifies every delivery with the Standard Webhooks library before it counts it,
// and the sandbox partner's webhook URL, which keeps 360dialog's deliveries (raw bytes and signature) for the
// bench to post to the portal itself, timed.

export type Arrival = { id: string; type: string; at: number; externalId: string | null };

export type VerifyingReceiver = {
  url: string;
  /** Verified deliveries, first arrival of each webhook-id, in arrival order. */
  arrivals: Arrival[];
  byId: Map<string, Arrival>;
  /** Deliveries whose webhook-id had already arrived and been verified. */
  duplicates: number;
  /** Deliveries that did not verify (answered 400): signature, timestamp, or id header against body. */
  failures: number;
  failureReasons: Map<string, number>;
  /** The endpoint's signing secret, known once the endpoint exists (its URL is this receiver's). */
  useSecret(secret: string): void;
  /** Resolves once `predicate` holds for the arrivals (checked on every arrival), or rejects after `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void>;
  close(): Promise<void>;
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startVerifyingReceiver(): Promise<VerifyingReceiver> {
  let webhook: Webhook | null = null;
  const waiters = new Set<() => void>();
  const state: Omit<VerifyingReceiver, "url" | "useSecret" | "until" | "close"> = { arrivals: [], byId: new Map(), duplicates: 0, failures: 0, failureReasons: new Map() };
  const fail = (reason: string) => {
    state.failures++;
    state.failureReasons.set(reason, (state.failureReasons.get(reason) ?? 0) + 1);
  };
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const at = performance.now();
      const headers = { "webhook-id": String(req.headers["webhook-id"] ?? ""), "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""), "webhook-signature": String(req.headers["webhook-signature"] ?? "") };
      let payload: { id?: string; type?: string; data?: { object?: { externalId?: unknown } | null } };
      try {
        if (!webhook) throw new Error("no signing secret yet");
        payload = webhook.verify(body, headers) as typeof payload;
      } catch (error) {
        fail(error instanceof Error ? error.message : "verification failed");
        res.writeHead(400).end();
        return;
      }
      if (payload.id !== headers["webhook-id"] || typeof payload.type !== "string") {
        fail("body id differs from webhook-id");
        res.writeHead(400).end();
        return;
      }
      if (state.byId.has(payload.id)) state.duplicates++;
      else {
        const externalId = payload.data?.object?.externalId;
        const arrival = { id: payload.id, type: payload.type, at, externalId: typeof externalId === "string" ? externalId : null };
        state.arrivals.push(arrival);
        state.byId.set(payload.id, arrival);
      }
      res.writeHead(204).end();
      for (const wake of waiters) wake();
    }, () => res.writeHead(400).end());
  });
  const url = `${await listen(server)}/outbound`;
  return Object.assign(state, {
    url,
    useSecret: (secret: string) => void (webhook = new Webhook(secret)),
    until(predicate: () => boolean, timeoutMs: number, what: string) {
      return new Promise<void>((resolve, reject) => {
        if (predicate()) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`));
        }, timeoutMs);
        const check = () => {
          if (!predicate()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    close: () => closeServer(server),
  });
}

export type HubDelivery = { event: string; body: Buffer; signature: string; channelId: string | null; clientId: string | null };

export type HubCollector = { url: string; deliveries: HubDelivery[]; close(): Promise<void> };

/** The sandbox partner's webhook URL: keeps each delivery as sent (bytes and `x-360dialog-signature`), answers 200. */
export async function startHubCollector(): Promise<HubCollector> {
  const deliveries: HubDelivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const parsed = JSON.parse(body.toString("utf8")) as { event?: string; data?: { id?: string; client_id?: string; client?: { id?: string } } };
      const event = parsed.event ?? "";
      deliveries.push({
        event,
        body,
        signature: String(req.headers["x-360dialog-signature"] ?? ""),
        channelId: event.startsWith("channel_") ? (parsed.data?.id ?? null) : null,
        clientId: event.startsWith("client_") ? (parsed.data?.client?.id ?? parsed.data?.id ?? null) : (parsed.data?.client_id ?? null),
      });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  const url = `${await listen(server)}/hub`;
  return { url, deliveries, close: () => closeServer(server) };
}
