import { describe, expect, it } from "vitest";
import { STATUS_WORDS, maskPhone, statusKeyFor } from "./status-page-words";

describe("status words", () => {
  it("maps hub statuses to the five client states", () => {
    expect(statusKeyFor("created", false)).toBe("created");
    for (const s of ["unverified", "submitted", "verified", "VERIFIED "]) expect(statusKeyFor(s, false)).toBe("in_review");
    expect(statusKeyFor("ready", false)).toBe("ready");
    expect(statusKeyFor("running", false)).toBe("running");
    expect(statusKeyFor("running", true)).toBe("ready_to_use");
    expect(statusKeyFor("live", true)).toBe("ready_to_use");
    expect(statusKeyFor("pending_deletion", true)).toBe("other");
    for (const words of Object.values(STATUS_WORDS)) {
      expect(words.en.length).toBeGreaterThan(10);
      expect(words.de.length).toBeGreaterThan(10);
    }
  });

  it("hides all but the last four digits", () => {
    expect(maskPhone("+49 151 23456789")).toBe("+•• ••• ••••6789");
    expect(maskPhone("+4915123456789")).toBe("+•••••••••6789");
    expect(maskPhone("123")).toBe("123");
    expect(maskPhone(null)).toBeNull();
  });
});
