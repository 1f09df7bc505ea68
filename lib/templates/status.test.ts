import { describe, expect, it } from "vitest";
import { normaliseReason, normaliseStatus, rejectionWords, templateStatusTone, templateStatusWords } from "./status";

describe("template statuses from lists (lowercase) and Meta's webhook (uppercase)", () => {
  it("stores one spelling and keeps values it does not know", () => {
    expect(normaliseStatus("APPROVED")).toBe("approved");
    expect(normaliseStatus(" In Appeal ")).toBe("in_appeal");
    expect(normaliseStatus("BRAND_NEW_STATE")).toBe("brand_new_state");
    expect(normaliseStatus("")).toBeUndefined();
    expect(normaliseStatus(undefined)).toBeUndefined();
    expect(templateStatusWords("brand_new_state")).toBe("brand_new_state");
    expect(templateStatusTone("brand_new_state")).toBe("slate");
  });

  it("reads Meta's NONE as no reason and explains the known ones", () => {
    expect(normaliseReason("NONE")).toBeNull();
    expect(normaliseReason("  ")).toBeNull();
    expect(normaliseReason("INVALID_FORMAT")).toBe("INVALID_FORMAT");
    expect(rejectionWords("TAG_CONTENT_MISMATCH")).toContain("does not match the category");
    expect(rejectionWords("SOMETHING_NEW")).toBe("SOMETHING_NEW");
    expect(rejectionWords(null)).toBeNull();
  });

  it("colours verdicts so staff see them at a glance", () => {
    expect(templateStatusTone("approved")).toBe("green");
    expect(templateStatusTone("rejected")).toBe("red");
    expect(templateStatusTone("pending")).toBe("blue");
    expect(templateStatusTone("paused")).toBe("amber");
  });
});
