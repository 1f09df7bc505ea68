import type { FetchLike } from "@/lib/hub/http";

/*
 * A scripted stand-in for fetch, for tests only: records every call and answers from a queue, so
 * tests see exactly what went on the wire and fault injection needs no network or extra dependency.
 */

export type FakeReply =
  | { status?: number; json?: unknown; body?: string; headers?: Record<string, string> }
  | { networkError: string }
  | { hang: true };

export type FakeCall = {
  method: string;
  url: URL;
  /** Header names lowercased. */
  headers: Record<string, string>;
  body: string | undefined;
  /** The body parsed as JSON, or undefined. */
  json: unknown;
};

export type FakeStep = FakeReply | ((call: FakeCall) => FakeReply);

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

export function createFakeFetch(...steps: FakeStep[]) {
  const queue = [...steps];
  const calls: FakeCall[] = [];

  const fetch: FetchLike = async (url, init) => {
    const body = typeof init.body === "string" ? init.body : undefined;
    const call: FakeCall = {
      method: init.method ?? "GET",
      url: new URL(url),
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body,
      json: body === undefined ? undefined : JSON.parse(body),
    };
    calls.push(call);
    const step = queue.shift();
    if (step === undefined) throw new Error(`fake fetch: no reply scripted for ${call.method} ${call.url.pathname}`);
    const reply = typeof step === "function" ? step(call) : step;
    if ("networkError" in reply) throw new TypeError("fetch failed", { cause: new Error(reply.networkError) });
    if ("hang" in reply) {
      const signal = init.signal;
      return new Promise<Response>((_, reject) => {
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }
    const status = reply.status ?? 200;
    const text = reply.json === undefined ? (reply.body ?? "") : JSON.stringify(reply.json);
    const headers = { ...(reply.json === undefined ? {} : { "content-type": "application/json" }), ...reply.headers };
    return new Response(NULL_BODY_STATUS.has(status) ? null : text, { status, headers });
  };

  return {
    fetch,
    calls,
    enqueue: (...more: FakeStep[]) => queue.push(...more),
    pending: () => queue.length,
  };
}

/** Records requested waits and returns at once. */
export function createFakeSleep() {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  };
}

/** Collects what a HubLogger was given. */
export function createCapturingLogger() {
  const lines: { obj: Record<string, unknown>; msg: string }[] = [];
  return { lines, warn: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }) };
}
