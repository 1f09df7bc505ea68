import { describe, expect, it } from "vitest";
import { variablesIn } from "@/lib/templates/components";
import { emptyDraft, type TemplateDraft } from "@/lib/templates/draft";
import { lintTemplate, type Finding } from "@/lib/templates/lint";
import { fieldId, mergeFindings, placeFindings, placeOf, renderedFields } from "./field-paths";

const finding = (field: string, rule = "r", severity: Finding["severity"] = "error"): Finding => ({ field, rule, severity, message: `${field} ${rule}` });

const draft: TemplateDraft = {
  ...emptyDraft(),
  header: { format: "TEXT", text: "Hello {{1}}", example: "" },
  body: "Hi {{1}}, your order {{3}} has shipped today.",
  buttons: [
    { type: "URL", text: "Track", url: "https://shop.example/t/{{1}}", example: "" },
    { type: "PHONE_NUMBER", text: "Call", phoneNumber: "" },
  ],
};
const rendered = renderedFields(draft, { body: variablesIn(draft.body), headerText: variablesIn("Hello {{1}}") });

describe("fieldId", () => {
  it("turns a field path into a DOM id", () => {
    expect(fieldId("buttons.0.text")).toBe("tpl-buttons-0-text");
    expect(fieldId("header.format")).toBe("tpl-header-format");
  });
});

describe("renderedFields", () => {
  it("lists the controls the form shows for this draft", () => {
    for (const path of ["name", "header.text", "header.example", "body", "bodyExamples.0", "bodyExamples.2", "buttons.0.url", "buttons.0.example", "buttons.1.phoneNumber"]) {
      expect(rendered.has(path), path).toBe(true);
    }
    expect(rendered.has("bodyExamples.1")).toBe(false); // {{2}} is not in the body
    expect(rendered.has("codeExpirationMinutes")).toBe(false);
  });

  it("shows a read-only button as its group only, and a GIF header's sample", () => {
    const kept: TemplateDraft = {
      ...emptyDraft(),
      category: "MARKETING",
      header: { format: "GIF", example: "" },
      body: "Sign up today.",
      buttons: [{ type: "KEPT", kind: "FLOW", text: "Sign up", raw: { type: "FLOW", text: "Sign up", flow_id: "1" } }],
    };
    const shown = renderedFields(kept, { body: [], headerText: [] });
    expect(shown.has("buttons.0")).toBe(true);
    expect(shown.has("buttons.0.text")).toBe(false);
    expect(shown.has("header.example")).toBe(true);
  });

  it("shows the authentication options instead of the content", () => {
    const auth = renderedFields({ ...emptyDraft(), category: "AUTHENTICATION", buttons: [{ type: "OTP", otpType: "COPY_CODE", text: "" }] }, { body: [], headerText: [] });
    expect(auth.has("codeExpirationMinutes")).toBe(true);
    expect(auth.has("body")).toBe(false);
    expect(auth.has("buttons.0.otpType")).toBe(true);
  });
});

describe("placeFindings", () => {
  it("puts a finding under its field, else the nearest group shown, else at the top", () => {
    const f = [finding("body"), finding("buttons.1.url"), finding("bodyExamples.1"), finding("form"), finding("header.example")];
    const { at, top } = placeFindings(f, rendered);
    expect(at.get("body")).toEqual([f[0]]);
    expect(at.get("buttons.1")).toEqual([f[1]]); // button 2 is a phone button: its group takes it
    expect(at.get("bodyExamples")).toEqual([f[2]]);
    expect(at.get("header.example")).toEqual([f[4]]);
    expect(top).toEqual([f[3]]);
  });

  it("every finding the linter makes lands somewhere the form shows (or the top)", () => {
    const findings = lintTemplate(draft);
    expect(findings.length).toBeGreaterThan(0);
    const { at, top } = placeFindings(findings, rendered);
    const placed = [...at.values()].flat().length + top.length;
    expect(placed).toBe(findings.length);
    for (const f of findings) {
      const path = placeOf(f.field, rendered);
      if (path !== undefined) expect(f.field === path || f.field.startsWith(`${path}.`)).toBe(true);
    }
  });
});

describe("mergeFindings", () => {
  it("adds 360dialog's words and server-only rules, not the server's copy of a live finding", () => {
    const live = [finding("body", "body-length")];
    const server = [finding("body", "body-length"), finding("body", "hub"), finding("name", "name-taken")];
    expect(mergeFindings(live, server)).toEqual([live[0], server[1], server[2]]);
  });
});
