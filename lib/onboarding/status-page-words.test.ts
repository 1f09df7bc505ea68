import { describe, expect, it } from "vitest";
import { maskPhone, statusKeyFor } from "./status-page-words";

describe("status words", () => {
  it("maps hub statuses to the five client states", () => {
    expect(statusKeyFor("created", false)).toBe("created");
    for (const s of ["unverified", "submitted", "verified", "VERIFIED "]) expect(statusKeyFor(s, false)).toBe("in_review");
    expect(statusKeyFor("ready", false)).toBe("ready");
    expect(statusKeyFor("running", false)).toBe("running");
    expect(statusKeyFor("running", true)).toBe("ready_to_use");
    expect(statusKeyFor("live", true)).toBe("ready_to_use");
    expect(statusKeyFor("pending_deletion", true)).toBe("other");
    expect(statusKeyFor("error", false)).toBe("other");
    // The end of a number and a restriction come before any status (docs/channel-lifecycle.md).
    expect(statusKeyFor("running", true, { restricted: true })).toBe("restricted");
    expect(statusKeyFor("running", true, { cancellation: "requested", restricted: true })).toBe("cancellation_requested");
    expect(statusKeyFor("terminated", false, { cancellation: "cancelled" })).toBe("cancelled");
    expect(statusKeyFor("running", true, { cancellation: null, restricted: false })).toBe("ready_to_use");
  });

  it("hides all but the last four digits", () => {
    expect(maskPhone("+49 151 23456789")).toBe("+•• ••• ••••6789");
    expect(maskPhone("+4915123456789")).toBe("+•••••••••6789");
    expect(maskPhone("123")).toBe("123");
    expect(maskPhone(null)).toBeNull();
  });
});
