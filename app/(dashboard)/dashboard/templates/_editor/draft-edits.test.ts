import { describe, expect, it } from "vitest";
import { emptyDraft, type TemplateDraft } from "@/lib/templates/draft";
import { moveItem, nextVariable, parseMinutes, samplesFor, sampleSlots, switchCategory, switchHeader, withSample } from "./draft-edits";

describe("samples follow the body's variables", () => {
  it("gives one sample per number up to the highest, by index", () => {
    expect(samplesFor([1, 2], ["Ann", "ACME"])).toEqual(["Ann", "ACME"]);
    expect(samplesFor([2, 1, 2], ["Ann"])).toEqual(["Ann", ""]);
  });

  it("keeps samples typed for a variable that was removed, and brings them back", () => {
    const typed = ["Ann", "ACME", "Friday"];
    expect(samplesFor([1], typed)).toEqual(["Ann"]);
    expect(samplesFor([1, 2, 3], typed)).toEqual(["Ann", "ACME", "Friday"]);
  });

  it("has no samples without variables", () => {
    expect(samplesFor([], ["Ann"])).toEqual([]);
  });

  it("ignores numbers no sample can be sent for ({{0}}, {{500}})", () => {
    expect(sampleSlots([0, 3, 500, 3, 1])).toEqual([1, 3]);
    expect(samplesFor([500], [])).toEqual([]);
  });

  it("sets one sample, filling the gap before it", () => {
    expect(withSample([], 2, "x")).toEqual(["", "", "x"]);
    expect(withSample(["a", "b"], 0, "z")).toEqual(["z", "b"]);
  });
});

describe("nextVariable", () => {
  it("is one past the highest variable", () => {
    expect(nextVariable([])).toBe(1);
    expect(nextVariable([1, 3, 2])).toBe(4);
  });
});

describe("moveItem", () => {
  it("moves an item and leaves the list otherwise as it was", () => {
    expect(moveItem(["a", "b", "c"], 2, 0)).toEqual(["c", "a", "b"]);
    expect(moveItem(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
  });

  it("ignores moves off either end", () => {
    expect(moveItem(["a", "b"], 0, -1)).toEqual(["a", "b"]);
    expect(moveItem(["a", "b"], 1, 2)).toEqual(["a", "b"]);
  });
});

describe("switchCategory", () => {
  const marketing: TemplateDraft = {
    ...emptyDraft(),
    category: "MARKETING",
    header: { format: "TEXT", text: "Sale", example: "" },
    body: "Hi {{1}}, our sale starts today.",
    bodyExamples: ["Ann"],
    footer: "Reply STOP to opt out",
    buttons: [{ type: "QUICK_REPLY", text: "Stop" }],
  };

  it("entering AUTHENTICATION sets the content aside and adds a copy-code button", () => {
    const { draft, stash } = switchCategory(marketing, "AUTHENTICATION", null);
    expect(draft).toMatchObject({ category: "AUTHENTICATION", header: { format: "NONE" }, body: "", bodyExamples: [], footer: "" });
    expect(draft.buttons).toEqual([{ type: "OTP", otpType: "COPY_CODE", text: "" }]);
    expect(stash?.body).toBe(marketing.body);
  });

  it("leaving it again brings everything back", () => {
    const there = switchCategory(marketing, "AUTHENTICATION", null);
    const back = switchCategory(there.draft, "MARKETING", there.stash);
    expect(back.draft).toEqual(marketing);
    expect(back.stash).toBeNull();
  });

  it("keeps an existing code button and its type", () => {
    const withOtp = { ...marketing, buttons: [{ type: "OTP" as const, otpType: "ONE_TAP" as const, text: "" }] };
    expect(switchCategory(withOtp, "AUTHENTICATION", null).draft.buttons).toEqual(withOtp.buttons);
  });

  it("between marketing and utility changes only the category", () => {
    const { draft, stash } = switchCategory(marketing, "UTILITY", null);
    expect(draft).toEqual({ ...marketing, category: "UTILITY" });
    expect(stash).toBeNull();
  });

  it("leaving AUTHENTICATION without a stash (a stored one) drops the code button and keeps the rest", () => {
    const stored: TemplateDraft = { ...emptyDraft(), category: "AUTHENTICATION", buttons: [{ type: "OTP", otpType: "COPY_CODE", text: "" }] };
    const { draft } = switchCategory(stored, "UTILITY", null);
    expect(draft.buttons).toEqual([]);
    expect(draft.category).toBe("UTILITY");
  });
});

describe("switchHeader", () => {
  it("restores what was typed for a format when switching back", () => {
    const text = { format: "TEXT" as const, text: "Your order", example: "" };
    const toImage = switchHeader(text, "IMAGE", {});
    expect(toImage.header).toEqual({ format: "IMAGE", example: "" });
    const withUrl = { format: "IMAGE" as const, example: "https://example.test/a.png" };
    const back = switchHeader(withUrl, "TEXT", toImage.memory);
    expect(back.header).toEqual(text);
    expect(switchHeader(back.header, "IMAGE", back.memory).header).toEqual(withUrl);
  });

  it("starts a new format empty", () => {
    expect(switchHeader({ format: "NONE" }, "VIDEO", {}).header).toEqual({ format: "VIDEO", example: "" });
    expect(switchHeader({ format: "NONE" }, "LOCATION", {}).header).toEqual({ format: "LOCATION" });
  });
});

describe("parseMinutes", () => {
  it("reads a whole number, or null for nothing", () => {
    expect(parseMinutes("")).toBeNull();
    expect(parseMinutes(" 10 ")).toBe(10);
    expect(parseMinutes("abc")).toBeNull();
  });
});
