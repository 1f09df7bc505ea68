import { describe, expect, it } from "vitest";
import { liveStreamUrl, reconnectDelayMs } from "./live-client";
import { parseLiveQuery } from "./sse";

describe("live stream URL", () => {
  it("sorts and de-duplicates topics and adds the hub", () => {
    expect(liveStreamUrl(["client", "channel", "client"])).toBe("/api/live?topics=channel%2Cclient");
    expect(liveStreamUrl([], "3f1c2a4e-5b6d-4c7e-8f90-a1b2c3d4e5f6")).toBe("/api/live?hub=3f1c2a4e-5b6d-4c7e-8f90-a1b2c3d4e5f6");
    expect(liveStreamUrl([])).toBe("/api/live");
  });

  it("builds exactly what the route accepts", () => {
    const url = new URL(liveStreamUrl(["template", "api_key"], "3f1c2a4e-5b6d-4c7e-8f90-a1b2c3d4e5f6"), "http://localhost");
    expect(parseLiveQuery(url.searchParams).data).toEqual({ topics: ["api_key", "template"], hub: "3f1c2a4e-5b6d-4c7e-8f90-a1b2c3d4e5f6" });
  });
});

describe("reconnect backoff", () => {
  it("doubles from 1 s and stays capped at 30 s", () => {
    const top = (attempt: number) => reconnectDelayMs(attempt, () => 1);
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(top)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("jitters between half and all of the step", () => {
    expect(reconnectDelayMs(0, () => 0)).toBe(500);
    expect(reconnectDelayMs(20, () => 0)).toBe(15_000);
    expect(reconnectDelayMs(2, () => 0.5)).toBe(3_000);
  });
});
