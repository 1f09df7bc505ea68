import "server-only";
import type { z } from "zod";
import { isRecord } from "./json";

/*
 * The one way lib/hub talks HTTP to 360dialog (docs/security.md R29): a per-attempt timeout, retries only for failures
 * that may pass (network, timeout, 408, 429, 5xx) with capped full-jitter backoff and Retry-After, and a
 * small circuit breaker. Nothing secret leaves this file: logs carry method, path, status, attempt and
 * wait only (docs/security.md R20), and HubError text is scrubbed of every credential the request carried.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type HubErrorCode = "network" | "timeout" | "http" | "invalid_response" | "circuit_open";
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;
export type HubLogger = { warn(obj: Record<string, unknown>, msg: string): void };

export type HubTransportOptions = {
  baseUrl: string;
  fetch?: FetchLike;
  /** Whole attempt, connect to last body byte. */
  timeoutMs?: number;
  retries?: number;
  backoff?: { baseMs?: number; maxMs?: number };
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  logger?: HubLogger;
  circuitBreaker?: { failureThreshold?: number; cooldownMs?: number } | false;
};

export type QueryValue = string | number | boolean | undefined;

export type HubRequest<S extends z.ZodType> = {
  method: HttpMethod;
  /** Path only; values go in `query`, so errors and logs never show them. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  schema: S;
  /** Default: true for GET, PUT and DELETE, false otherwise. */
  retry?: boolean;
  /** Values to scrub from error text besides the header values (e.g. a password sent in the body). */
  secrets?: string[];
};

export type HubTransport = { request<S extends z.ZodType>(req: HubRequest<S>): Promise<z.output<S>> };

type HubErrorInit = {
  code: HubErrorCode;
  method: string;
  path: string;
  status: number | null;
  attempts: number;
  developerMessage?: string;
  details?: string[];
  upstreamCode?: string;
  /** How long the hub asked to wait (its `Retry-After` on a 429 or 503), for a caller that retries later. */
  retryAfterMs?: number;
  /** The address tried: base URL and path, never the query (values may be ids a log should not collect). */
  url?: string;
  /** A network failure's system code (ENOTFOUND, ECONNREFUSED, CERT_HAS_EXPIRED, …) from the fetch error's causes. */
  networkCode?: string;
  cause?: unknown;
};

export class HubError extends Error {
  override readonly name = "HubError";
  readonly code: HubErrorCode;
  readonly status: number | null;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;
  readonly developerMessage?: string;
  readonly details?: string[];
  /** Meta's `code/error_subcode` or 360dialog's `error_data.code`, when given. */
  readonly upstreamCode?: string;
  /** The hub's `Retry-After` on a 429 or 503, in milliseconds, when it sent one. */
  readonly retryAfterMs?: number;
  /** Base URL and path tried (no query). */
  readonly url?: string;
  /** A network failure's system code, when the runtime gave one (ENOTFOUND, ECONNREFUSED, ERR_TLS_CERT_ALTNAME_INVALID, …). */
  readonly networkCode?: string;

  constructor(init: HubErrorInit) {
    super(describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts;
    this.developerMessage = init.developerMessage;
    this.details = init.details;
    this.upstreamCode = init.upstreamCode;
    this.retryAfterMs = init.retryAfterMs;
    this.url = init.url;
    this.networkCode = init.networkCode;
  }

  toJSON() {
    const { name, message, code, status, method, path, attempts, developerMessage, details, upstreamCode, url, networkCode } = this;
    return { name, message, code, status, method, path, attempts, developerMessage, details, upstreamCode, url, networkCode };
  }
}

export function isHubError(error: unknown): error is HubError {
  return error instanceof HubError;
}

/**
 * The system code of a failed fetch: undici throws TypeError("fetch failed") whose cause (or an AggregateError's
 * first error, for several addresses) carries `code`, e.g. ENOTFOUND, ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT.
 */
export function networkCodeOf(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== "object" || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === "string" && /^[A-Z][A-Z0-9_]+$/.test(own)) return own;
  // The Fetch standard's port blocklist (e.g. 9, 25, 6000): undici refuses before connecting, with no code.
  if ((error as { message?: unknown }).message === "bad port") return "BAD_PORT";
  const nested = (error as { cause?: unknown }).cause ?? (error as { errors?: unknown[] }).errors?.[0];
  return networkCodeOf(nested, depth + 1);
}

function describe({ code, method, path, status, attempts, developerMessage }: HubErrorInit): string {
  const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
  const outcome = {
    circuit_open: "not attempted: circuit open after repeated failures",
    network: `failed: network error${tries}`,
    timeout: `timed out${tries}`,
    invalid_response: `returned an unexpected response (HTTP ${status})`,
    http: `failed with HTTP ${status}${tries}${developerMessage ? `: ${developerMessage}` : ""}`,
  }[code];
  return `Hub ${method} ${path} ${outcome}`;
}

const MAX_RETRY_AFTER_MS = 60_000;
const MAX_MESSAGE_CHARS = 500;
const MAX_DETAILS = 20;
const DEFAULT_RETRY_METHODS = new Set<HttpMethod>(["GET", "PUT", "DELETE"]);
const NOT_SECRET_HEADERS = new Set(["accept", "content-type"]);

type ErrorInfo = { developerMessage?: string; details?: string[]; upstreamCode?: string };
type Failure = ErrorInfo & { code: Exclude<HubErrorCode, "circuit_open">; status: number | null; retriable: boolean; retryAfterMs?: number; cause?: unknown };
type Outcome = { ok: true; value: unknown } | ({ ok: false } & Failure);

const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);
const nonEmpty = (list: string[]) => (list.length > 0 ? list : undefined);

function detailStrings(value: unknown): string[] {
  const list: unknown[] = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map((item) => {
    if (typeof item === "string") return item;
    if (isRecord(item) && Array.isArray(item.loc) && typeof item.msg === "string") return `${item.loc.join(".")}: ${item.msg}`;
    if (isRecord(item)) return text(item.message) ?? text(item.msg) ?? text(item.title) ?? JSON.stringify(item);
    return String(item);
  });
}

/** Reads the error shapes seen from the hub and from Meta behind the Messaging API (contract 5.5, 6). */
export function parseErrorBody(body: string): ErrorInfo {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {};
  }
  if (!isRecord(json)) return {};
  const { meta, error, errors, detail } = json;
  if (isRecord(meta)) {
    const data = isRecord(meta.error_data) ? meta.error_data : {};
    const code = data.code ?? meta.code;
    return {
      developerMessage: text(meta.developer_message) ?? text(data.message),
      details: nonEmpty(detailStrings(meta.details)),
      upstreamCode: code === undefined || code === null ? undefined : String(code),
    };
  }
  if (isRecord(error)) {
    const data = isRecord(error.error_data) ? error.error_data : {};
    const codes = [error.code, error.error_subcode].filter((c) => typeof c === "number" || typeof c === "string");
    return {
      developerMessage: text(error.message),
      details: nonEmpty([text(error.error_user_title), text(error.error_user_msg), ...detailStrings(data.details)].filter((d) => d !== undefined)),
      upstreamCode: codes.length > 0 ? codes.join("/") : undefined,
    };
  }
  if (typeof error === "string" || typeof json.error_description === "string") {
    return { developerMessage: text(json.error_description) ?? text(error) };
  }
  if (Array.isArray(errors)) {
    const first = errors.find(isRecord);
    return {
      developerMessage: first && (text(first.message) ?? text(first.title)),
      details: nonEmpty(errors.filter(isRecord).flatMap((e) => detailStrings(isRecord(e.error_data) ? e.error_data.details : undefined))),
      upstreamCode: first?.code === undefined ? undefined : String(first.code),
    };
  }
  // Not in the contract: a FastAPI-style `detail`, read in case the hub's framework answers before its own envelope.
  if (typeof detail === "string") return { developerMessage: detail };
  if (Array.isArray(detail)) return { developerMessage: "Validation error", details: detailStrings(detail) };
  return {};
}

function scrubber(headers: Record<string, string>, extra: string[] = []): (s: string) => string {
  const secrets = new Set<string>(extra);
  for (const [name, value] of Object.entries(headers)) {
    if (NOT_SECRET_HEADERS.has(name.toLowerCase())) continue;
    secrets.add(value);
    secrets.add(value.split(/\s+/).at(-1) ?? value);
  }
  const list = [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return (s) => list.reduce((acc, secret) => acc.split(secret).join("[redacted]"), s);
}

/** Seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

const isRetriableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

function buildUrl(baseUrl: string, path: string, query: Record<string, QueryValue> = {}): string {
  const params = Object.entries(query)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return `${baseUrl}${path}${params.length > 0 ? `?${params.join("&")}` : ""}`;
}

type Admission = "closed" | "probe";

function createBreaker(config: HubTransportOptions["circuitBreaker"], now: () => number, onOpen: (failures: number) => void) {
  if (config === false) return { admit: (): Admission | null => "closed", record: () => {} };
  const threshold = config?.failureThreshold ?? 5;
  const cooldownMs = config?.cooldownMs ?? 30_000;
  let failures = 0;
  let openUntil = 0;
  let probing = false;
  return {
    admit(): Admission | null {
      if (failures < threshold) return "closed";
      if (probing || now() < openUntil) return null;
      probing = true;
      return "probe";
    },
    record(admission: Admission, healthy: boolean) {
      if (admission === "probe") probing = false;
      if (healthy) {
        failures = 0;
        return;
      }
      failures += 1;
      if (failures >= threshold) {
        openUntil = now() + cooldownMs;
        onOpen(failures);
      }
    },
  };
}

export function createHubTransport(options: HubTransportOptions): HubTransport {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const doFetch: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 3;
  const baseMs = options.backoff?.baseMs ?? 250;
  const maxMs = options.backoff?.maxMs ?? 5_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const logger = options.logger;
  const breaker = createBreaker(options.circuitBreaker, now, (failures) =>
    logger?.warn({ failures, baseUrl }, "hub circuit opened"),
  );

  async function attempt(req: HubRequest<z.ZodType>, url: string, headers: Record<string, string>): Promise<Outcome> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const res = await doFetch(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: controller.signal,
        // A followed redirect would carry the API-key header to wherever it points.
        redirect: "manual",
      });
      const body = await res.text();
      if (!res.ok) {
        const retryAfterMs = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get("retry-after"), now()) : undefined;
        return { ok: false, code: "http", status: res.status, retriable: isRetriableStatus(res.status), retryAfterMs, ...parseErrorBody(body) };
      }
      let json: unknown;
      try {
        json = body.trim() === "" ? undefined : JSON.parse(body);
      } catch {
        return { ok: false, code: "invalid_response", status: res.status, retriable: false, details: ["body is not JSON"] };
      }
      const parsed = req.schema.safeParse(json);
      if (parsed.success) return { ok: true, value: parsed.data };
      const details = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.code}`);
      return { ok: false, code: "invalid_response", status: res.status, retriable: false, details };
    } catch (cause) {
      return { ok: false, code: timedOut ? "timeout" : "network", status: null, retriable: true, cause };
    } finally {
      clearTimeout(timer);
    }
  }

  async function request<S extends z.ZodType>(req: HubRequest<S>): Promise<z.output<S>> {
    const { method, path } = req;
    const admission = breaker.admit();
    if (admission === null) throw new HubError({ code: "circuit_open", method, path, status: null, attempts: 0, url: baseUrl + path });
    const headers = { accept: "application/json", "content-type": "application/json", ...req.headers };
    const scrub = scrubber(headers, req.secrets);
    const url = buildUrl(baseUrl, path, req.query);
    const maxAttempts = (req.retry ?? DEFAULT_RETRY_METHODS.has(method)) ? retries + 1 : 1;

    for (let n = 1; ; n++) {
      const outcome = await attempt(req, url, headers);
      if (outcome.ok) {
        breaker.record(admission, true);
        return outcome.value as z.output<S>;
      }
      if (!outcome.retriable || n >= maxAttempts) {
        breaker.record(admission, !outcome.retriable);
        throw new HubError({
          code: outcome.code,
          method,
          path,
          status: outcome.status,
          attempts: n,
          developerMessage: outcome.developerMessage && clip(scrub(outcome.developerMessage), MAX_MESSAGE_CHARS),
          details: outcome.details?.slice(0, MAX_DETAILS).map((d) => clip(scrub(d), MAX_MESSAGE_CHARS)),
          upstreamCode: outcome.upstreamCode && clip(scrub(outcome.upstreamCode), 100),
          retryAfterMs: outcome.retryAfterMs,
          url: baseUrl + path,
          networkCode: outcome.code === "network" ? networkCodeOf(outcome.cause) : undefined,
          cause: outcome.code === "network" || outcome.code === "timeout" ? outcome.cause : undefined,
        });
      }
      const jitter = Math.floor(random() * Math.min(maxMs, baseMs * 2 ** (n - 1)));
      const waitMs = Math.max(jitter, outcome.retryAfterMs ?? 0);
      logger?.warn({ method, path, status: outcome.status, code: outcome.code, attempt: n, waitMs }, "hub request failed, retrying");
      await sleep(waitMs);
    }
  }

  return { request };
}
