import { describe, expect, it } from "vitest";
import { HubError } from "../hub/http";
import { fieldOfHubMessage, hubRefusalFindings, outcomeUnknown } from "./hub-findings";

const refusal = (status: number, details: string[], developerMessage = "Invalid parameter") =>
  new HubError({ code: "http", status, method: "POST", path: "/v1/configs/templates", attempts: 1, developerMessage, details });

describe("360dialog and Meta refusals beside the field they concern", () => {
  it.each([
    ["Button text missing — Button 1 needs a text.", "buttons"],
    ["Character limit exceeded — The FOOTER text has 61 characters; the limit is 60.", "footer"],
    ["Header format incorrect — A text header can't contain new lines or asterisks.", "header.text"],
    ["Sample values missing — The body uses 2 variable(s)", "body"],
    ["Variables not sequential — Body variables must be numbered {{1}} to {{2}}", "body"],
    ["Content in this language already exists — A template named x already exists in en.", "language"],
    ["Category invalid — The category must be AUTHENTICATION, MARKETING or UTILITY.", "category"],
    ["Template name invalid — The name may contain only lowercase letters", "name"],
    ["Something nobody foresaw", "form"],
  ])("%s → %s", (text, field) => {
    expect(fieldOfHubMessage(text)).toBe(field);
  });

  it("keeps Meta's own words, without the generic developer message", () => {
    const findings = hubRefusalFindings(refusal(400, ["Character limit exceeded", "The BODY text has 1031 characters; the limit is 1024."]));
    expect(findings).toEqual([
      { field: "body", rule: "hub", severity: "error", message: "Character limit exceeded — The BODY text has 1031 characters; the limit is 1024." },
    ]);
  });

  it("says so when the refusal carries no words", () => {
    expect(hubRefusalFindings(refusal(422, [], "Validation error"))?.[0]).toMatchObject({ field: "form", message: expect.stringContaining("HTTP 422") });
  });

  it("does not treat an authentication, rate-limit or server failure as a verdict on the template", () => {
    for (const status of [401, 403, 429, 500, 503]) expect(hubRefusalFindings(refusal(status, ["x"]))).toBeUndefined();
    expect(hubRefusalFindings(new Error("boom"))).toBeUndefined();
  });

  it("knows which failures may have created the template anyway", () => {
    const failure = (code: "timeout" | "network" | "http", status: number | null) => new HubError({ code, status, method: "POST", path: "/", attempts: 1 });
    expect(outcomeUnknown(failure("timeout", null))).toBe(true);
    expect(outcomeUnknown(failure("network", null))).toBe(true);
    expect(outcomeUnknown(failure("http", 502))).toBe(true);
    expect(outcomeUnknown(failure("http", 400))).toBe(false);
    expect(outcomeUnknown(new Error("x"))).toBe(false);
  });
});
