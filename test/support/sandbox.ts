import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { startSandbox, type RunningSandbox, type SandboxOptions } from "@/sandbox/sandbox";
import type { SandboxConfig } from "@/sandbox/types";

// Shared helpers of the sandbox tests: an in-process sandbox on 127.0.0.1:0 with a manual clock, a local
// webhook receiver, form helpers and polling. Not a test file itself.

export const FAST: Partial<SandboxConfig> = {
  lifecycleDelayMs: 0,
  templateReviewDelayMs: 30,
  webhookRetryBaseMs: 15,
  webhookRetryMaxMs: 60,
  webhookTimeoutMs: 2000,
};

export interface Clock {
  now: () => number;
  advance(ms: number): void;
}

export function manualClock(start = Date.now()): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export interface TestSandbox {
  sb: RunningSandbox;
  url: string;
  clock: Clock;
  close(): Promise<void>;
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const clock = manualClock();
  const sb = await startSandbox({ port: 0, host: "127.0.0.1", now: clock.now, ...options, config: { ...FAST, ...options.config } });
  return { sb, url: sb.url, clock, close: () => sb.close() };
}

export const TEST_PARTNER = {
  id: "testPA",
  name: "Test Partner",
  apiKey: "test-partner-key-0001",
  username: "ops@partner.test",
  password: "correct horse battery",
  platformSecret: "test-platform-secret-0001",
  paymentMode: "partner" as const,
};

export interface JsonResponse {
  status: number;
  headers: Headers;
  // Tests read arbitrary JSON shapes; `any` keeps the assertions short.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function call(base: string, path: string, init: RequestInit & { json?: unknown; key?: string; d360?: string } = {}): Promise<JsonResponse> {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  if (init.key) headers.set("x-api-key", init.key);
  if (init.d360) headers.set("d360-api-key", init.d360);
  const res = await fetch(base + path, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    redirect: "manual",
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body };
}

export async function seedPartner(base: string, seed: Record<string, unknown> = {}): Promise<void> {
  const res = await call(base, "/_sandbox/partners", { method: "POST", json: { ...TEST_PARTNER, ...seed } });
  if (res.status !== 201 && res.status !== 200) throw new Error(`seeding failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function onboard(base: string, body: Record<string, unknown> = {}): Promise<{ clientId: string; channelIds: string[] }> {
  const res = await call(base, "/_sandbox/onboard", { method: "POST", json: { partnerId: TEST_PARTNER.id, ...body } });
  if (res.status !== 201) throw new Error(`onboard failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { clientId: string; channelIds: string[] };
}

export function hiddenValue(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m?.[1]) throw new Error(`no hidden field ${name} in page`);
  return m[1];
}

export async function postForm(url: string, fields: [string, string][]): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}

export async function waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 3000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Status to answer for the n-th request (0-based); default 200. */
  respond: (n: number, req: Received) => number;
  /** Forgets what was received, restarts the request count and answers 200 again. */
  reset(): void;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 that records every request. */
export async function startReceiver(): Promise<Receiver> {
  let n = 0;
  const receiver: Receiver = {
    url: "",
    received: [],
    respond: () => 200,
    reset() {
      n = 0;
      receiver.received.length = 0;
      receiver.respond = () => 200;
    },
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const entry: Received = { path: req.url ?? "/", headers: req.headers, body, json };
      const status = receiver.respond(n++, entry);
      receiver.received.push(entry);
      res.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}
