import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HubError } from "../hub/http";
import { BACKOFF_CAP_MS, backoff, requestedRetryMs, retryDelay } from "./backoff";

const s = 1_000;
const min = 60 * s;
const h = 60 * min;
/** The top of the range is reached only at random() → 1, so allow the few ms that 0.999999 leaves. */
const top = () => 0.999_999;
const near = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(40);

describe("backoff", () => {
  it("follows 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h without jitter", () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((a) => backoff(a, middle))).toEqual([
      5 * s,
      5 * min,
      30 * min,
      2 * h,
      5 * h,
      10 * h,
      10 * h,
      10 * h,
      10 * h,
    ]);
  });

  it("spreads each step by ±20 % at the extremes of the random source", () => {
    expect(backoff(1, () => 0)).toBe(4 * s);
    near(backoff(1, top), 6 * s);
    expect(backoff(4, () => 0)).toBe(1.6 * h);
    near(backoff(4, top), 2.4 * h);
  });

  it("never exceeds the 10 h cap, even with jitter", () => {
    expect(backoff(6, top)).toBe(10 * h);
    expect(backoff(6, () => 1)).toBe(10 * h);
    near(backoff(5, top), 6 * h);
    expect(backoff(6, () => 0)).toBe(8 * h);
  });

  it("treats nonsense attempts as the first one", () => {
    expect(backoff(0, () => 0.5)).toBe(5 * s);
    expect(backoff(-3, () => 0.5)).toBe(5 * s);
  });

  it("stays within ±20 % of its step, capped, and grows with the attempt (property)", () => {
    const steps = [5 * s, 5 * min, 30 * min, 2 * h, 5 * h];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const delay = backoff(attempt, () => r);
        const base = steps[attempt - 1] ?? BACKOFF_CAP_MS;
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
        expect(delay).toBeLessThanOrEqual(Math.min(Math.ceil(base * 1.2), BACKOFF_CAP_MS));
        // Below the cap, the latest draw of a step still comes before the earliest draw of the next step.
        if (attempt < 5) expect(backoff(attempt, top)).toBeLessThan(backoff(attempt + 1, () => 0));
      }),
    );
  });

  it("uses Math.random by default and varies", () => {
    const seen = new Set(Array.from({ length: 20 }, () => backoff(3)));
    expect(seen.size).toBeGreaterThan(1);
  });
});

describe("retryDelay", () => {
  const zero = () => 0;
  it("honours the upstream's Retry-After instead of the schedule, never shorter, with jitter on top", () => {
    expect(retryDelay(2, { retryAfterMs: 1_000 }, zero)).toBe(1_000);
    expect(retryDelay(2, { retryAfterMs: 1_000 }, top)).toBeLessThanOrEqual(1_200);
    expect(retryDelay(1, { retryAfterMs: 30 * s }, zero)).toBe(30 * s);
    // A Retry-After of 0 still waits a second; a huge one stops at the cap.
    expect(retryDelay(3, { retryAfterMs: 0 }, zero)).toBe(s);
    expect(retryDelay(1, { retryAfterMs: 100 * h }, zero)).toBe(BACKOFF_CAP_MS);
  });
  it("falls back to the schedule when the error names no wait", () => {
    const middle = () => 0.5;
    for (const error of [new Error("x"), { retryAfterMs: "2" }, { retryAfterMs: -1 }, { retryAfterMs: Number.NaN }, null, "text"]) {
      expect(retryDelay(2, error, middle)).toBe(backoff(2, middle));
    }
  });
  it("reads the hub client's own error", () => {
    const error = new HubError({ code: "http", method: "POST", path: "/x", status: 429, attempts: 1, retryAfterMs: 2_000 });
    expect(requestedRetryMs(error)).toBe(2_000);
    expect(retryDelay(2, error, zero)).toBe(2_000);
  });
});
