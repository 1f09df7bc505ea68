import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TEST_PARTNER, call, seedPartner, startTestSandbox, type TestSandbox } from "@/test/support/sandbox";

let t: TestSandbox;
const P = `/api/v2/partners/${TEST_PARTNER.id}`;
const key = TEST_PARTNER.apiKey;

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(() => t.close());
beforeEach(async () => {
  await call(t.url, "/_sandbox/reset", { method: "POST" });
  await seedPartner(t.url);
});

describe("API fault injection", () => {
  it("answers every n-th API request with 429 and Retry-After", async () => {
    await call(t.url, "/_sandbox/faults", { method: "POST", json: { rateLimit: { every: 2, retryAfterSeconds: 7 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call(t.url, P, { key });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers.get("retry-after")).toBe("7");
        expect(res.body.meta).toMatchObject({ success: false, http_code: 429 });
      }
    }
    expect(statuses).toEqual([200, 429, 200, 429]);
    // The control API is never throttled.
    for (let i = 0; i < 3; i++) expect((await call(t.url, "/_sandbox/state")).status).toBe(200);
  });

  it("answers every Partner API request with the forced status (401, 403, 404), the Messaging API untouched", async () => {
    for (const status of [401, 403, 404] as const) {
      await call(t.url, "/_sandbox/faults", { method: "POST", json: { partnerApiStatus: status } });
      const res = await call(t.url, P, { key });
      expect(res.status).toBe(status);
      expect(res.body.meta).toMatchObject({ success: false, http_code: status });
    }
    expect((await call(t.url, "/v1/configs/templates", { d360: "x" })).status).not.toBe(404);
    await call(t.url, "/_sandbox/faults", { method: "POST", json: {} });
    expect((await call(t.url, P, { key })).status).toBe(200);
  });

  it("turns requests into 500s at the error rate until cleared", async () => {
    await call(t.url, "/_sandbox/faults", { method: "POST", json: { errorRate: 1 } });
    const failed = await call(t.url, P, { key });
    expect(failed.status).toBe(500);
    expect(failed.body.meta.http_code).toBe(500);
    expect((await call(t.url, "/v1/configs/templates", { d360: "x" })).status).toBe(500);
    await call(t.url, "/_sandbox/faults", { method: "POST", json: {} });
    expect((await call(t.url, P, { key })).status).toBe(200);
    expect((await call(t.url, "/_sandbox/faults")).body).toEqual({});
  });

  it("adds latency to API requests", async () => {
    await call(t.url, "/_sandbox/faults", { method: "POST", json: { latencyMs: 120 } });
    const started = performance.now();
    expect((await call(t.url, P, { key })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it("refuses invalid fault settings", async () => {
    const res = await call(t.url, "/_sandbox/faults", { method: "POST", json: { errorRate: 2 } });
    expect(res.status).toBe(400);
    expect((await call(t.url, "/_sandbox/faults", { method: "POST", json: { nonsense: true } })).status).toBe(400);
  });

  it("caps request bodies and answers unknown routes in the right shape", async () => {
    const big = await call(t.url, P, { method: "PATCH", key, json: { partner_redirect_url: `http://127.0.0.1/${"x".repeat(300_000)}` } });
    expect(big.status).toBe(413);
    expect(big.body.meta.http_code).toBe(413);
    expect((await call(t.url, `${P}/nothing`, { key })).body.meta.http_code).toBe(404);
    expect((await call(t.url, P, { method: "DELETE", key })).status).toBe(405);
    const page = await fetch(`${t.url}/no/such/page`);
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toContain("text/html");
  });
});
