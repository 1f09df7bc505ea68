import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FunnelSample } from "@/db/queries/funnel";
import { durationWords, funnelSteps, parseOverviewQuery, percentWords, sampleBuckets } from "./funnel";

const NOW = new Date("2026-10-15T10:30:00Z");
const DAY = 86_400_000;

describe("parseOverviewQuery", () => {
  it("defaults to the last 30 days and all hubs, without a note", () => {
    const q = parseOverviewQuery({}, NOW);
    expect(q.period).toMatchObject({ kind: "preset", preset: "30d", label: "Last 30 days" });
    expect(q.period.to).toEqual(NOW);
    expect(NOW.getTime() - q.period.from.getTime()).toBe(30 * DAY);
    expect(q.hubId).toBeUndefined();
    expect(q.notes).toEqual([]);
  });

  it("reads each preset", () => {
    for (const [preset, days] of [["24h", 1], ["7d", 7], ["30d", 30], ["90d", 90]] as const) {
      const q = parseOverviewQuery({ period: preset }, NOW);
      expect(q.period.kind).toBe("preset");
      expect(NOW.getTime() - q.period.from.getTime()).toBe(days * DAY);
      expect(q.notes).toEqual([]);
    }
  });

  it("reads a custom period as UTC days with `to` included, and lets a preset win over stale dates", () => {
    const q = parseOverviewQuery({ from: "2026-10-01", to: "2026-10-31", hub: "8F0C4E1A-3B2D-4C5E-9F10-112233445566" }, NOW);
    expect(q.period).toMatchObject({ kind: "custom", fromDay: "2026-10-01", toDay: "2026-10-31", label: "1 Oct 2026 – 31 Oct 2026 (UTC)" });
    expect(q.period.from.toISOString()).toBe("2026-10-01T00:00:00.000Z");
    expect(q.period.to.toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(q.hubId).toBe("8f0c4e1a-3b2d-4c5e-9f10-112233445566");
    expect(q.notes).toEqual([]);

    const single = parseOverviewQuery({ period: "custom", from: "2026-10-02", to: "2026-10-02" }, NOW);
    expect(single.period.label).toBe("2 Oct 2026 (UTC)");
    expect(single.period.to.getTime() - single.period.from.getTime()).toBe(DAY);

    const openEnded = parseOverviewQuery({ from: "2026-10-10" }, NOW);
    expect(openEnded.period).toMatchObject({ kind: "custom", toDay: "2026-10-15" });

    expect(parseOverviewQuery({ period: "7d", from: "2026-01-01", to: "2026-01-05" }, NOW).period).toMatchObject({ kind: "preset", preset: "7d" });
    expect(parseOverviewQuery({ period: ["90d", "7d"] }, NOW).period).toMatchObject({ preset: "90d" });
  });

  it("falls back to the last 30 days with a note for every bad value", () => {
    const cases: Record<string, string | undefined>[] = [
      { period: "1y" },
      { period: "30D" },
      { period: "custom" },
      { from: "2026-13-01" },
      { from: "yesterday" },
      { to: "2026-10-01" },
      { from: "2026-10-31", to: "2026-10-01" },
      { from: "2024-01-01", to: "2026-01-01" },
      { from: "2026-02-30" },
    ];
    for (const raw of cases) {
      const q = parseOverviewQuery(raw, NOW);
      expect(q.period, JSON.stringify(raw)).toMatchObject({ kind: "preset", preset: "30d" });
      expect(q.notes, JSON.stringify(raw)).toHaveLength(1);
      expect(q.notes[0]).toMatch(/Showing the last 30 days instead\.$/);
    }
    // Refused custom dates are kept as typed, with the reason, for the form to show (not cleared).
    expect(parseOverviewQuery({ period: "custom", from: "2026-10-31", to: "2026-10-01" }, NOW).rejectedCustom).toEqual({
      from: "2026-10-31",
      to: "2026-10-01",
      error: "The custom period ended before it started.",
    });
    expect(parseOverviewQuery({ period: "7d" }, NOW).rejectedCustom).toBeUndefined();
    expect(parseOverviewQuery({ hub: "00000000-0000-0000-0000-00000000000b" }, NOW).hubId).toBe("00000000-0000-0000-0000-00000000000b");
    const badHub = parseOverviewQuery({ hub: "'; drop table hubs;--" }, NOW);
    expect(badHub.hubId).toBeUndefined();
    expect(badHub.notes).toEqual(["That hub is not valid. Showing all hubs."]);
  });

  it("never throws and always yields a period inside the allowed span, whatever the URL holds", () => {
    const value = fc.oneof(fc.constant(undefined), fc.string(), fc.constantFrom("24h", "7d", "custom", "2026-10-01", "2026-02-29"), fc.array(fc.string(), { maxLength: 3 }));
    fc.assert(
      fc.property(fc.record({ period: value, from: value, to: value, hub: value }), (raw) => {
        const q = parseOverviewQuery(raw, NOW);
        const span = q.period.to.getTime() - q.period.from.getTime();
        expect(span).toBeGreaterThan(0);
        expect(span).toBeLessThanOrEqual(366 * DAY);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("sampleBuckets", () => {
  it("turns a sampling fraction into how many first-byte values to take, never fewer than the fraction asks", () => {
    expect(sampleBuckets(0.5)).toBe(128);
    expect(sampleBuckets(0.25)).toBe(64);
    expect(sampleBuckets(2_000 / 115_305)).toBe(5); // 1.73 % asked, 5/256 = 1.95 % taken
    expect(sampleBuckets(1e-12)).toBe(1);
    expect(sampleBuckets(1)).toBe(256);
    expect(sampleBuckets(3)).toBe(256);
  });
});

const sample = (over: Partial<FunnelSample> = {}): FunnelSample => ({
  sessions: 200,
  fromInvite: 150,
  returned: 160,
  clientConfirmed: 120,
  channelCreated: 120,
  channelRunning: 90,
  keyStored: 0,
  medianSeconds: { started: 30, returned: 240, clientConfirmed: 5, channelCreated: 0, channelRunning: 86_400, keyStored: null },
  ...over,
});

describe("funnelSteps", () => {
  it("keeps exact counts when the whole cohort was read", () => {
    const steps = funnelSteps({ started: 200, linkOpened: 300 }, sample());
    expect(steps.map((s) => [s.key, s.count])).toEqual([
      ["link_opened", 300],
      ["started", 200],
      ["returned", 160],
      ["client_confirmed", 120],
      ["channel_created", 120],
      ["channel_running", 90],
      ["key_stored", 0],
    ]);
    expect(steps[1]).toMatchObject({ ofPrevious: 0.5, ofStarted: 1, medianSeconds: 30 });
    expect(steps[2]).toMatchObject({ ofPrevious: 0.8, ofStarted: 0.8, medianSeconds: 240 });
    expect(steps[3]).toMatchObject({ ofPrevious: 0.75, ofStarted: 0.6 });
    expect(steps[5]).toMatchObject({ ofPrevious: 0.75, ofStarted: 0.45 });
    expect(steps[6]).toMatchObject({ ofPrevious: 0, ofStarted: 0, medianSeconds: null });
    expect(steps[0]).toMatchObject({ ofPrevious: null, ofStarted: null, medianSeconds: null });
  });

  it("scales a sample to the exact cohort and keeps its ratios", () => {
    const steps = funnelSteps({ started: 100_000, linkOpened: 120_000 }, sample());
    expect(steps[1]).toMatchObject({ count: 100_000, ofPrevious: 75_000 / 120_000 });
    expect(steps[2]).toMatchObject({ count: 80_000, ofPrevious: 0.8, ofStarted: 0.8 });
    expect(steps[5]!.count).toBe(45_000);
  });

  it("has no ratios without a base", () => {
    const steps = funnelSteps({ started: 0, linkOpened: 0 }, sample({ sessions: 0, fromInvite: 0, returned: 0, clientConfirmed: 0, channelCreated: 0, channelRunning: 0 }));
    expect(steps.every((s) => s.count === 0 && s.ofPrevious === null)).toBe(true);
    expect(steps.every((s) => s.ofStarted === null)).toBe(true);
  });
});

describe("words", () => {
  it("says durations the way the chart shows them", () => {
    expect([0, 42, 59.6, 60, 180, 89 * 60, 90 * 60, 5.5 * 3600, 30 * 3600, 47.9 * 3600, 2 * 86400, 12.4 * 86400].map(durationWords)).toEqual([
      "0 s",
      "42 s",
      "60 s",
      "1 min",
      "3 min",
      "89 min",
      "1.5 h",
      "5.5 h",
      "30 h",
      "48 h",
      "2 days",
      "12 days",
    ]);
  });

  it("says percentages", () => {
    expect([null, 0, 0.004, 0.055, 0.5, 1, 1.25].map(percentWords)).toEqual(["—", "0%", "<1%", "5.5%", "50%", "100%", "125%"]);
  });
});
