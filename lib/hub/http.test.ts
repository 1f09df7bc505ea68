import { afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import pino from "pino";
import { z } from "zod";
import { createHubTransport, HubError, parseErrorBody, parseRetryAfter, type HubLogger, type HubTransportOptions } from "./http";
import { createCapturingLogger, createFakeFetch, createFakeSleep, type FakeStep } from "@/test/support/fake-fetch";

const ok = z.looseObject({ ok: z.boolean() });
const BASE = "https://hub.test";

function setup(steps: FakeStep[], options: Partial<HubTransportOptions> = {}) {
  const fake = createFakeFetch(...steps);
  const sleep = createFakeSleep();
  const log = createCapturingLogger();
  const transport = createHubTransport({ baseUrl: BASE, fetch: fake.fetch, sleep: sleep.sleep, logger: log, ...options });
  return { fake, sleep, log, transport };
}

async function hubError(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubError);
  return error as HubError;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("retries", () => {
  it("waits at least Retry-After seconds after a 429", async () => {
    const { fake, sleep, transport } = setup([{ status: 429, headers: { "retry-after": "2" } }, { json: { ok: true } }], { random: () => 0 });
    await expect(transport.request({ method: "GET", path: "/x", schema: ok })).resolves.toEqual({ ok: true });
    expect(fake.calls).toHaveLength(2);
    expect(sleep.waits).toHaveLength(1);
    expect(sleep.waits[0]).toBeGreaterThanOrEqual(2000);
  });

  it("reads Retry-After as an HTTP date and caps it at 60 s", () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    expect(parseRetryAfter("Tue, 01 Jan 2030 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("3600", now)).toBe(60_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("honours Retry-After on 503 too", async () => {
    const { sleep, transport } = setup([{ status: 503, headers: { "retry-after": "7" } }, { json: { ok: true } }], { random: () => 0 });
    await transport.request({ method: "GET", path: "/x", schema: ok });
    expect(sleep.waits).toEqual([7000]);
  });

  it("retries 3 × 503 and succeeds on the 4th call", async () => {
    const { fake, sleep, log, transport } = setup([{ status: 503 }, { status: 503 }, { status: 503 }, { json: { ok: true } }]);
    await expect(transport.request({ method: "GET", path: "/x", schema: ok })).resolves.toEqual({ ok: true });
    expect(fake.calls).toHaveLength(4);
    expect(sleep.waits).toHaveLength(3);
    expect(log.lines.map((l) => l.obj.attempt)).toEqual([1, 2, 3]);
  });

  it("backs off exponentially with full jitter, capped", async () => {
    const steps = Array.from({ length: 6 }, () => ({ status: 502 }));
    const { sleep, transport } = setup([...steps, { json: { ok: true } }], {
      retries: 6,
      random: () => 0.999999,
      backoff: { baseMs: 100, maxMs: 1000 },
    });
    await transport.request({ method: "GET", path: "/x", schema: ok });
    expect(sleep.waits).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it("makes exactly one call on a 400 and surfaces the developer_message", async () => {
    const body = { meta: { success: false, http_code: 400, developer_message: "Wrong payload", details: ["name: required"] } };
    const { fake, sleep, transport } = setup([{ status: 400, json: body }]);
    const error = await hubError(transport.request({ method: "GET", path: "/x", schema: ok }));
    expect(fake.calls).toHaveLength(1);
    expect(sleep.waits).toHaveLength(0);
    expect(error).toMatchObject({ code: "http", status: 400, developerMessage: "Wrong payload", details: ["name: required"], attempts: 1 });
    expect(error.message).toBe("Hub GET /x failed with HTTP 400: Wrong payload");
  });

  it.each([401, 403, 404, 409, 422])("never retries a %i", async (status) => {
    const { fake, transport } = setup([{ status }]);
    await hubError(transport.request({ method: "GET", path: "/x", schema: ok }));
    expect(fake.calls).toHaveLength(1);
  });

  it("retries 408 and network errors", async () => {
    const { fake, transport } = setup([{ status: 408 }, { networkError: "ECONNRESET" }, { json: { ok: true } }]);
    await expect(transport.request({ method: "GET", path: "/x", schema: ok })).resolves.toEqual({ ok: true });
    expect(fake.calls).toHaveLength(3);
  });

  it("does not retry a POST unless asked to", async () => {
    const first = setup([{ status: 503 }, { json: { ok: true } }]);
    const error = await hubError(first.transport.request({ method: "POST", path: "/x", body: {}, schema: ok }));
    expect(error).toMatchObject({ status: 503, attempts: 1 });
    expect(first.fake.calls).toHaveLength(1);

    const second = setup([{ status: 503 }, { json: { ok: true } }]);
    await second.transport.request({ method: "POST", path: "/x", body: {}, schema: ok, retry: true });
    expect(second.fake.calls).toHaveLength(2);
  });

  it("does not retry a GET when retry is false", async () => {
    const { fake, transport } = setup([{ status: 503 }]);
    await hubError(transport.request({ method: "GET", path: "/x", schema: ok, retry: false }));
    expect(fake.calls).toHaveLength(1);
  });

  it("gives up after the retry budget with the attempt count", async () => {
    const { fake, transport } = setup([{ status: 500 }, { status: 500 }, { networkError: "ECONNREFUSED" }], { retries: 2 });
    const error = await hubError(transport.request({ method: "GET", path: "/x", schema: ok }));
    expect(fake.calls).toHaveLength(3);
    expect(error).toMatchObject({ code: "network", status: null, attempts: 3 });
    expect(error.message).toBe("Hub GET /x failed: network error after 3 attempts");
  });
});

describe("retry budget (property)", () => {
  type Step = { kind: "status"; status: number; retryAfter?: number } | { kind: "network" };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant("status" as const), status: fc.constantFrom(200, 400, 401, 404, 408, 500, 502, 504) }),
    fc.record({ kind: fc.constant("status" as const), status: fc.constantFrom(429, 503), retryAfter: fc.integer({ min: 0, max: 120 }) }),
    fc.constant({ kind: "network" as const }),
  );
  const retriable = (s: Step) => s.kind === "network" || s.status === 408 || s.status === 429 || s.status >= 500;

  it("never exceeds the budget, never retries what may not pass, and always honours Retry-After", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 5 }),
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH" as const),
        fc.option(fc.boolean(), { nil: undefined }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        async (steps, retries, method, retry, r) => {
          const replies = steps.map((s): FakeStep => {
            if (s.kind === "network") return { networkError: "ECONNRESET" };
            const headers: Record<string, string> = s.retryAfter === undefined ? {} : { "retry-after": String(s.retryAfter) };
            return { status: s.status, json: { ok: true }, headers };
          });
          const { fake, sleep, transport } = setup(replies, { retries, random: () => r, circuitBreaker: false });
          await transport.request({ method, path: "/x", schema: ok, retry }).catch(() => undefined);

          const budget = (retry ?? ["GET", "PUT", "DELETE"].includes(method)) ? retries + 1 : 1;
          const stop = steps.findIndex((s) => !retriable(s));
          // Past the script the fake fails like a network error, which is retriable.
          expect(fake.calls.length).toBe(stop === -1 ? budget : Math.min(budget, stop + 1));
          expect(sleep.waits).toHaveLength(fake.calls.length - 1);
          sleep.waits.forEach((wait, i) => {
            const s = steps[i];
            expect(wait).toBeLessThanOrEqual(60_000);
            if (s?.kind === "status" && s.retryAfter !== undefined) expect(wait).toBeGreaterThanOrEqual(Math.min(s.retryAfter * 1000, 60_000));
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("timeouts", () => {
  it("aborts a hanging request at the default 10 s", async () => {
    vi.useFakeTimers();
    const { fake, transport } = setup([{ hang: true }]);
    const settled = transport.request({ method: "GET", path: "/x", schema: ok, retry: false }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(await Promise.race([settled, Promise.resolve("pending")])).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    const error = await settled;
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ code: "timeout", status: null, attempts: 1 });
    expect(fake.calls).toHaveLength(1);
  });

  it("aborts with real timers and retries the timeout", async () => {
    const { fake, transport } = setup([{ hang: true }, { json: { ok: true } }], { timeoutMs: 30 });
    const started = Date.now();
    await expect(transport.request({ method: "GET", path: "/x", schema: ok })).resolves.toEqual({ ok: true });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(fake.calls).toHaveLength(2);
  });
});

describe("responses", () => {
  it("reports a schema mismatch by path and issue code, never by value", async () => {
    const { transport } = setup([{ json: { ok: "SENTINEL-VALUE-123" } }]);
    const error = await hubError(transport.request({ method: "GET", path: "/x", schema: ok }));
    expect(error).toMatchObject({ code: "invalid_response", status: 200, details: ["ok: invalid_type"] });
    expect(JSON.stringify(error)).not.toContain("SENTINEL-VALUE-123");
  });

  it("treats a non-JSON success body as invalid_response", async () => {
    const { transport } = setup([{ body: "<html>" }]);
    await expect(transport.request({ method: "GET", path: "/x", schema: ok })).rejects.toMatchObject({ code: "invalid_response" });
  });

  it("passes an empty body to the schema as undefined", async () => {
    const { transport } = setup([{ status: 204 }]);
    await expect(transport.request({ method: "DELETE", path: "/x", schema: z.unknown() })).resolves.toBeUndefined();
  });

  it("builds the URL from the base, path and encoded query, dropping undefined values", async () => {
    const { fake, transport } = setup([{ json: { ok: true } }], { baseUrl: "http://127.0.0.1:8082/prefix/" });
    await transport.request({ method: "GET", path: "/a", query: { q: "a b&c", n: 2, skip: undefined }, schema: ok });
    expect(fake.calls[0]?.url.toString()).toBe("http://127.0.0.1:8082/prefix/a?q=a%20b%26c&n=2");
    expect(fake.calls[0]?.headers).toMatchObject({ accept: "application/json", "content-type": "application/json" });
  });

  it("does not follow redirects", async () => {
    const { transport } = setup([{ status: 302, headers: { location: "https://elsewhere.test/" } }]);
    await expect(transport.request({ method: "GET", path: "/x", schema: ok })).rejects.toMatchObject({ code: "http", status: 302 });
  });
});

describe("error bodies", () => {
  it("reads the token-endpoint shape", () => {
    expect(parseErrorBody(JSON.stringify({ error: "invalid_grant", error_description: "Wrong credentials" }))).toEqual({
      developerMessage: "Wrong credentials",
    });
  });

  it("reads Meta's error object", () => {
    const body = {
      error: {
        message: "Invalid parameter",
        type: "OAuthException",
        code: 100,
        error_subcode: 2388023,
        error_user_title: "Message template is being deleted",
        error_user_msg: "Try again in 4 weeks",
        error_data: { details: "name is being deleted" },
      },
    };
    expect(parseErrorBody(JSON.stringify(body))).toEqual({
      developerMessage: "Invalid parameter",
      details: ["Message template is being deleted", "Try again in 4 weeks", "name is being deleted"],
      upstreamCode: "100/2388023",
    });
  });

  it("reads Meta's errors array and meta.error_data", () => {
    const errors = { errors: [{ code: 131000, title: "Something went wrong", message: "Something went wrong", error_data: { details: "x" } }] };
    expect(parseErrorBody(JSON.stringify(errors))).toEqual({ developerMessage: "Something went wrong", details: ["x"], upstreamCode: "131000" });
    const meta = { meta: { success: false, http_code: 404, error_data: { code: "not_found", message: "Channel not found" } } };
    expect(parseErrorBody(JSON.stringify(meta))).toMatchObject({ developerMessage: "Channel not found", upstreamCode: "not_found" });
  });

  it("ignores bodies that are not JSON objects", () => {
    expect(parseErrorBody("<html>502</html>")).toEqual({});
    expect(parseErrorBody("[1,2]")).toEqual({});
  });
});

describe("circuit breaker", () => {
  it("opens after N failed requests, fails fast, then lets one probe through after the cooldown", async () => {
    let now = 1_000;
    const { fake, log, transport } = setup([{ status: 503 }, { networkError: "ECONNREFUSED" }, { json: { ok: true } }, { json: { ok: true } }], {
      retries: 0,
      now: () => now,
      circuitBreaker: { failureThreshold: 2, cooldownMs: 30_000 },
    });
    const get = () => transport.request({ method: "GET", path: "/x", schema: ok });
    await hubError(get());
    await hubError(get());
    expect(log.lines.some((l) => l.msg === "hub circuit opened")).toBe(true);

    const open = await hubError(get());
    expect(open).toMatchObject({ code: "circuit_open", attempts: 0, status: null });
    expect(fake.calls).toHaveLength(2);

    now += 30_000;
    await expect(get()).resolves.toEqual({ ok: true });
    await expect(get()).resolves.toEqual({ ok: true });
    expect(fake.calls).toHaveLength(4);
  });

  it("is not tripped by client errors", async () => {
    const steps = Array.from({ length: 6 }, () => ({ status: 404 }));
    const { fake, transport } = setup([...steps, { json: { ok: true } }], { circuitBreaker: { failureThreshold: 2 } });
    for (let i = 0; i < 6; i++) await hubError(transport.request({ method: "GET", path: "/x", schema: ok }));
    await expect(transport.request({ method: "GET", path: "/x", schema: ok })).resolves.toEqual({ ok: true });
    expect(fake.calls).toHaveLength(7);
  });

  it("reopens when the probe fails", async () => {
    let now = 0;
    const { fake, transport } = setup([{ status: 500 }, { status: 500 }], {
      retries: 0,
      now: () => now,
      circuitBreaker: { failureThreshold: 1, cooldownMs: 10 },
    });
    const get = () => transport.request({ method: "GET", path: "/x", schema: ok });
    await hubError(get());
    now = 10;
    await expect(get()).rejects.toMatchObject({ code: "http", status: 500 });
    await expect(get()).rejects.toMatchObject({ code: "circuit_open" });
    expect(fake.calls).toHaveLength(2);
  });
});

describe("secrets", () => {
  const KEY = "SENTINEL-APIKEY-5f0c2b9e";
  const BEARER = "SENTINEL-BEARER-77aa91";
  const PASSWORD = "SENTINEL-PASSWORD-c0ffee";

  it("keeps header values and declared secrets out of the error and the log, even when the hub echoes them", async () => {
    const echo = {
      meta: { developer_message: `key ${KEY} and token ${BEARER} rejected for ${PASSWORD}`, details: [`Bearer ${BEARER}`, KEY] },
    };
    const { log, transport } = setup([{ status: 500, json: echo }, { status: 401, json: echo }]);
    const error = await hubError(
      transport.request({
        method: "POST",
        path: "/x",
        query: { filters: "{}" },
        body: { password: PASSWORD },
        headers: { "X-API-Key": KEY, Authorization: `Bearer ${BEARER}` },
        schema: ok,
        secrets: [PASSWORD],
        retry: true,
      }),
    );
    expect(error.status).toBe(401);
    const surfaces = [error.message, String(error), JSON.stringify(error), error.stack ?? "", JSON.stringify(log.lines)];
    for (const surface of surfaces) {
      for (const secret of [KEY, BEARER, PASSWORD, "filters"]) expect(surface).not.toContain(secret);
    }
    expect(error.developerMessage).toContain("[redacted]");
    expect(log.lines[0]?.obj).toEqual({ method: "POST", path: "/x", status: 500, code: "http", attempt: 1, waitMs: expect.any(Number) });
  });

  it("accepts a pino logger", () => {
    const logger: HubLogger = pino({ enabled: false });
    expect(typeof logger.warn).toBe("function");
  });
});
