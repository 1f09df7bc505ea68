import { describe, expect, it } from "vitest";
import { emptyDraft } from "@/lib/templates/draft";
import { postTemplate, readAnswer } from "./post-template";
import { describeRejection } from "./rejection-reasons";

const request = { channelId: "ch-1", action: "save" as const, draft: emptyDraft() };

function fakeFetch(status: number, body: string, seen: { url?: string; init?: RequestInit } = {}): typeof fetch {
  return async (url, init) => {
    seen.url = String(url);
    seen.init = init;
    return new Response(body, { status, headers: { "content-type": "application/json" } });
  };
}

describe("postTemplate", () => {
  it("posts the request as JSON to /api/templates", async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    await postTemplate({ ...request, templateId: "t-1" }, fakeFetch(200, JSON.stringify({ templateId: "t-1", status: "draft", message: "Saved." }), seen));
    expect(seen.url).toBe("/api/templates");
    expect(seen.init?.method).toBe("POST");
    expect(new Headers(seen.init?.headers).get("content-type")).toBe("application/json");
    expect(JSON.parse(String(seen.init?.body))).toEqual({ ...request, templateId: "t-1" });
  });

  it("a network failure is 'unreachable', not an exception", async () => {
    const failing: typeof fetch = async () => {
      throw new TypeError("Failed to fetch");
    };
    expect(await postTemplate(request, failing)).toEqual({ kind: "unreachable" });
  });

  it("reads a 502 HTML page from a proxy as a failure with a message", async () => {
    const answer = await postTemplate(request, fakeFetch(502, "<html>Bad gateway</html>"));
    expect(answer).toMatchObject({ kind: "failed" });
    expect(answer.kind === "failed" && answer.message).toContain("502");
  });
});

describe("readAnswer", () => {
  it("200 with a template id is ok", () => {
    expect(readAnswer(200, { templateId: "t-1", status: "draft", message: "Draft saved." })).toEqual({ kind: "ok", templateId: "t-1", status: "draft", message: "Draft saved." });
  });

  it("200 without a template id is a failure (nothing to remember)", () => {
    expect(readAnswer(200, { status: "draft" }).kind).toBe("failed");
  });

  it("422 carries the well-formed findings and the template id", () => {
    const good = { field: "body", rule: "hub", severity: "error", message: "Meta says no" };
    const answer = readAnswer(422, { templateId: "t-2", detail: "Refused.", findings: [good, { field: 1 }, "junk", { ...good, severity: "fatal" }] });
    expect(answer).toEqual({ kind: "refused", templateId: "t-2", message: "Refused.", findings: [good] });
  });

  it("a 409 naming a field shows it there", () => {
    const taken = { field: "name", rule: "conflict:template_name", severity: "error", message: "Name and language are already used on this number." };
    expect(readAnswer(409, { detail: "Taken.", findings: [taken] })).toEqual({ kind: "refused", message: "Taken.", findings: [taken] });
  });

  it("409 and other errors keep their message and any template id", () => {
    expect(readAnswer(409, { detail: "Being submitted elsewhere.", templateId: "t-3" })).toEqual({ kind: "failed", templateId: "t-3", message: "Being submitted elsewhere." });
    expect(readAnswer(500, null)).toMatchObject({ kind: "failed" });
  });
});

describe("describeRejection", () => {
  it("puts Meta's known reasons in words, case-insensitively", () => {
    expect(describeRejection("INVALID_FORMAT").title).toBe("invalid format");
    expect(describeRejection("promotional").hint).not.toBeNull();
  });

  it("shows an unknown reason as it came", () => {
    expect(describeRejection("SOMETHING_NEW")).toEqual({ title: "SOMETHING_NEW", hint: null });
  });
});
