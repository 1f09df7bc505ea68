import { describe, expect, it } from "vitest";
import { templateDraftSchema } from "@/lib/templates/draft";
import { requestFromForm } from "./form-draft";

describe("requestFromForm", () => {
  it("reads the editor's flat field names into the draft the JSON route takes", () => {
    const request = requestFromForm({
      channelId: "0b4e7a0e-5c1a-4f0e-9a53-6f1d1e2c3b4a",
      action: "submit",
      name: "order_update",
      language: "en_US",
      category: "UTILITY",
      allowCategoryChange: "on",
      "header.format": "TEXT",
      "header.text": "Order {{1}}",
      "header.example": "4711",
      body: "Hi {{1}}, order {{2}} shipped.",
      "bodyExamples.1": "4711",
      "bodyExamples.0": "Ana",
      footer: "Thanks",
      "buttons.1.type": "URL",
      "buttons.1.text": "Track",
      "buttons.1.url": "https://x.test/{{1}}",
      "buttons.1.example": "https://x.test/4711",
      "buttons.0.type": "QUICK_REPLY",
      "buttons.0.text": "Stop",
      codeExpirationMinutes: "",
    }) as { channelId: string; action: string; templateId?: string; draft: unknown };
    expect(request.action).toBe("submit");
    expect(request.templateId).toBeUndefined();
    const draft = templateDraftSchema.parse(request.draft);
    expect(draft).toMatchObject({
      name: "order_update",
      allowCategoryChange: true,
      header: { format: "TEXT", text: "Order {{1}}", example: "4711" },
      bodyExamples: ["Ana", "4711"],
      buttons: [{ type: "QUICK_REPLY", text: "Stop" }, { type: "URL", text: "Track", url: "https://x.test/{{1}}", example: "https://x.test/4711" }],
      codeExpirationMinutes: null,
      addSecurityRecommendation: false,
    });
  });

  it("defaults to save, leaves unchecked boxes false, and passes odd values on for the schema to refuse", () => {
    const request = requestFromForm({ name: "x", category: "AUTHENTICATION", codeExpirationMinutes: "ten", "buttons.0.type": "EVIL" }) as { action: string; channelId?: string; draft: Record<string, unknown> };
    expect(request.action).toBe("save");
    expect(request.channelId).toBeUndefined();
    expect(request.draft.allowCategoryChange).toBe(false);
    expect(templateDraftSchema.safeParse(request.draft).success).toBe(false);
  });
});
