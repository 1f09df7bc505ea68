import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import { HubError, type FetchLike, type HubTransportOptions } from "@/lib/hub/http";
import { createMessagingApi } from "@/lib/hub/messaging-api";
import { createPartnerApi, type PartnerAuth } from "@/lib/hub/partner-api";
import { startSandbox, type RunningSandbox } from "@/sandbox/sandbox";

/*
 * Shared harness of the contract suite: the REAL lib/hub clients against a REAL sandbox hub started in-process
 * on 127.0.0.1:0. State is arranged only through the sandbox's HTTP control API (/_sandbox/*), never by
 * reaching into its memory, so these tests see the sandbox exactly as the portal does. Not a test file.
 */

/** The partner `seedDefault: true` creates (sandbox/README.md, "The default partner"). */
export const DEFAULT_PARTNER = {
  id: "sandboxPA",
  name: "Sandbox Partner",
  apiKey: "sandbox-partner-key",
  username: "sandbox@example.test",
  password: "sandbox-password",
  platformSecret: "sandbox-platform-secret",
} as const;

export const API_KEY_AUTH: PartnerAuth = { kind: "api_key", apiKey: DEFAULT_PARTNER.apiKey };
export const TOKEN_AUTH: PartnerAuth = { kind: "token", username: DEFAULT_PARTNER.username, password: DEFAULT_PARTNER.password };

/** Small, deterministic transport settings: quick backoff, no breaker unless a test asks for one. */
export const FAST_TRANSPORT = {
  retries: 2,
  backoff: { baseMs: 5, maxMs: 20 },
  timeoutMs: 5_000,
  circuitBreaker: false,
} as const satisfies Omit<HubTransportOptions, "baseUrl">;

export type Hub = {
  sandbox: RunningSandbox;
  url: string;
  /** GET (no body) or POST (with body) to `/_sandbox<path>`; throws on a non-2xx answer. */
  control<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T>;
  reset(): Promise<void>;
  /** Moves the sandbox clock (not the clients') forward, e.g. past a token's lifetime. */
  advanceClock(ms: number): void;
  partnerApi(auth?: PartnerAuth, options?: Partial<Parameters<typeof createPartnerApi>[0]>): ReturnType<typeof createPartnerApi>;
  messagingApi(apiKey: string, baseUrl: string, options?: Partial<Parameters<typeof createMessagingApi>[0]>): ReturnType<typeof createMessagingApi>;
  onboard(body: Record<string, unknown>): Promise<{ clientId: string; channelIds: string[] }>;
  close(): Promise<void>;
};

export async function startHub(): Promise<Hub> {
  let skewMs = 0;
  const sandbox = await startSandbox({
    port: 0,
    host: "127.0.0.1",
    seedDefault: true,
    now: () => Date.now() + skewMs,
    // Lifecycle all at once, templates only by control API unless a test shortens the timer,
    // webhook retries in milliseconds.
    config: { lifecycleDelayMs: 0, templateReviewDelayMs: -1, webhookRetryBaseMs: 10, webhookRetryMaxMs: 40, webhookTimeoutMs: 2_000 },
  });
  const url = sandbox.url;

  async function control<T>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${url}/_sandbox${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`control ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  return {
    sandbox,
    url,
    control,
    async reset() {
      await control("/reset", {});
      skewMs = 0;
    },
    advanceClock(ms) {
      skewMs += ms;
    },
    partnerApi: (auth = API_KEY_AUTH, options = {}) =>
      createPartnerApi({ ...FAST_TRANSPORT, baseUrl: url, partnerId: DEFAULT_PARTNER.id, auth, ...options }),
    messagingApi: (apiKey, baseUrl, options = {}) => createMessagingApi({ ...FAST_TRANSPORT, baseUrl, apiKey, ...options }),
    onboard: (body) => control<{ clientId: string; channelIds: string[] }>("/onboard", { partnerId: DEFAULT_PARTNER.id, ...body }),
    close: () => sandbox.close(),
  };
}

/** The rejection of `promise`, asserted to be a HubError. */
export async function hubError(promise: Promise<unknown>): Promise<HubError> {
  let outcome: unknown;
  try {
    await promise;
  } catch (error) {
    outcome = error;
  }
  expect(outcome).toBeInstanceOf(HubError);
  return outcome as HubError;
}

/** Every place a HubError could leak text to a log or a page. */
export function everyRendering(error: HubError): string {
  return [error.message, String(error), JSON.stringify(error), error.stack ?? ""].join("\n");
}

/** A fetch that records the method and path of every request the client makes. */
export function countingFetch(): { fetch: FetchLike; calls: { method: string; path: string }[] } {
  const calls: { method: string; path: string }[] = [];
  return {
    calls,
    fetch: (target, init) => {
      calls.push({ method: init.method ?? "GET", path: new URL(target).pathname });
      return globalThis.fetch(target, init);
    },
  };
}

export async function waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs = 4_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// ---- Integrated Onboarding pages, driven with plain fetch as the sandbox's own io-flow tests do ----

export async function getPage(target: string): Promise<{ status: number; html: string }> {
  const res = await fetch(target, { redirect: "manual" });
  return { status: res.status, html: await res.text() };
}

export function hiddenValue(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m?.[1]) throw new Error(`no hidden field ${name} in page`);
  return m[1];
}

export function postForm(target: string, fields: [string, string][]): Promise<Response> {
  return fetch(target, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}

/** From the first IO page through signup and the simulated Embedded Signup; returns the answer to "Continue". */
export async function completeSignup(
  hubUrl: string,
  firstPageHtml: string,
  input: { email: string; fullName: string; company: string; phone?: string },
): Promise<{ response: Response; esHtml: string }> {
  const signup = await postForm(`${hubUrl}/io/signup`, [
    ["flow", hiddenValue(firstPageHtml, "flow")],
    ["email", input.email],
    ["full_name", input.fullName],
    ["company_name", input.company],
  ]);
  expect(signup.status).toBe(200);
  const esHtml = await signup.text();
  const phone = input.phone ?? /id="phone_number" name="phone_number" value="([^"]*)"/.exec(esHtml)?.[1] ?? "";
  const response = await postForm(`${hubUrl}/io/embedded-signup`, [
    ["flow", hiddenValue(esHtml, "flow")],
    ["business_name", input.company],
    ["phone_number", phone],
    ["action", "continue"],
  ]);
  return { response, esHtml };
}

// ---- A partner webhook receiver on 127.0.0.1 ----

export type Received = { path: string; headers: IncomingHttpHeaders; rawBody: Buffer };

export type Receiver = { url: string; received: Received[]; clear(): void; close(): Promise<void> };

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ path: req.url ?? "/", headers: req.headers, rawBody: Buffer.concat(chunks) });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    clear: () => void received.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
