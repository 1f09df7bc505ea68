import { describe, expect, it } from "vitest";
import { dateOf, formatDay, formatMinute, formatMinuteIn, formatSecond } from "./dates";

describe("dates", () => {
  const at = new Date("2026-12-03T00:14:05Z");

  it("shows UTC in the styles the pages and e2e tests read", () => {
    expect(formatDay(at)).toBe("3 Dec 2026");
    expect(formatMinute(at)).toBe("3 Dec 2026, 00:14");
    expect(formatSecond(at)).toBe("3 Dec 2026, 00:14:05");
    expect(formatMinuteIn("en", at)).toBe("3 Dec 2026, 00:14");
    expect(formatMinuteIn("de", at)).toBe("03.12.2026, 00:14");
  });

  it("reads an optional timestamp as a valid Date or nothing", () => {
    expect(dateOf("2026-12-03T00:14:05Z")?.toISOString()).toBe("2026-12-03T00:14:05.000Z");
    expect(dateOf(undefined)).toBeUndefined();
    expect(dateOf("")).toBeUndefined();
    expect(dateOf("not a date")).toBeUndefined();
  });
});
