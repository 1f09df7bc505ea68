import http from "node:http";

// Load drivers for the webhook benchmark: an open loop (fixed arrival rate, latency counted from the moment a
// request was due, so a slow server cannot hide its queue) and a closed loop (N workers, next request on answer).

export type Delivery = { body: Buffer; signature: string };

export type PhaseResult = {
  sent: number;
  ok: number;
  errors: number;
  /** Status codes other than 200, and network failures, with counts. */
  failures: Record<string, number>;
  seconds: number;
  latenciesMs: number[];
};

export type Target = { host: "127.0.0.1"; port: number; path: string };

const REQUEST_TIMEOUT_MS = 10_000;

function post(agent: http.Agent, target: Target, delivery: Delivery): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: target.host,
        port: target.port,
        path: target.path,
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": delivery.body.length,
          "user-agent": "360dialog-webhook-bench",
          "x-360dialog-signature": delivery.signature,
        },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", () => resolve("response error"));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.message === "timeout" ? "timeout" : (error.code ?? "network error")));
    req.end(delivery.body);
  });
}

function record(result: PhaseResult, outcome: number | string, latencyMs: number): void {
  result.sent++;
  if (outcome === 200) {
    result.ok++;
    result.latenciesMs.push(latencyMs);
  } else {
    result.errors++;
    const key = String(outcome);
    result.failures[key] = (result.failures[key] ?? 0) + 1;
  }
}

export const emptyResult = (): PhaseResult => ({ sent: 0, ok: 0, errors: 0, failures: {}, seconds: 0, latenciesMs: [] });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `rate` requests per second for `seconds`, whatever the server does; at most rate × seconds requests. */
export async function openLoop(target: Target, rate: number, seconds: number, next: () => Delivery): Promise<PhaseResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const result = emptyResult();
  const total = Math.round(rate * seconds);
  const interval = 1_000 / rate;
  const deliveries = Array.from({ length: total }, next);
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const delivery = deliveries[i]!;
    inflight.push(post(agent, target, delivery).then((outcome) => record(result, outcome, performance.now() - due)));
  }
  await Promise.all(inflight);
  result.seconds = (performance.now() - start) / 1_000;
  agent.destroy();
  return result;
}

/** `concurrency` workers, each sending its next request as soon as the last is answered, for `seconds`. */
export async function closedLoop(target: Target, concurrency: number, seconds: number, next: () => Delivery): Promise<PhaseResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const result = emptyResult();
  const start = performance.now();
  const end = start + seconds * 1_000;
  const worker = async () => {
    while (performance.now() < end) {
      const delivery = next();
      const sent = performance.now();
      record(result, await post(agent, target, delivery), performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  result.seconds = (performance.now() - start) / 1_000;
  agent.destroy();
  return result;
}

/** Time until the status line of the answer to one oversized POST (docs/security.md R2), with the body length declared or streamed. */
export function oversizedPost(target: Target, bytes: number, declared: boolean): Promise<{ status: number | string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.request({
      host: target.host,
      port: target.port,
      path: target.path,
      method: "POST",
      agent: false,
      headers: {
        "content-type": "application/json",
        "x-360dialog-signature": "0".repeat(64),
        ...(declared ? { "content-length": bytes } : { "transfer-encoding": "chunked" }),
      },
      timeout: REQUEST_TIMEOUT_MS,
    });
    const finish = (status: number | string) => {
      resolve({ status, ms: performance.now() - started });
      req.destroy();
    };
    req.on("response", (res) => finish(res.statusCode ?? 0));
    req.on("timeout", () => finish("timeout"));
    req.on("error", (error: NodeJS.ErrnoException) => finish(error.code ?? "network error"));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export type Summary = { sent: number; ok: number; errors: number; rps: number; p50: number; p99: number; max: number; failures: string };

export function summarise(result: PhaseResult): Summary {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  return {
    sent: result.sent,
    ok: result.ok,
    errors: result.errors,
    rps: result.ok / result.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    failures: Object.entries(result.failures)
      .map(([k, v]) => `${k}×${v}`)
      .join(" "),
  };
}
