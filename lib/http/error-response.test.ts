import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError, fieldErrorsOf, problemOf, publicMessageOf, type ErrorKind } from "../errors";
import { errorResponse, refusal } from "./error-response";

const logged: { fields: Record<string, unknown>; msg: string }[] = [];
vi.mock("../log", () => ({
  logger: () => ({ error: (fields: Record<string, unknown>, msg: string) => logged.push({ fields, msg }) }),
}));

const statusByKind: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  timeout: 408,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  throttled: 429,
  internal: 500,
  upstream: 502,
  unavailable: 503,
};

describe("errorResponse, the one way out", () => {
  it("answers every kind with its status as problem details, the code and the public message", async () => {
    for (const [kind, status] of Object.entries(statusByKind) as [ErrorKind, number][]) {
      if (kind === "internal") continue;
      const res = errorResponse(new AppError(`${kind}:thing`, "Plain words."), { where: "test" });
      expect({ kind, status: res.status }).toEqual({ kind, status });
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("cache-control")).toBe("no-store");
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(["code", "detail", "status", "title", "type"]);
      expect(body).toMatchObject({ type: "about:blank", status, code: `${kind}:thing`, detail: "Plain words." });
      expect(typeof body.title === "string" && body.title.length > 0).toBe(true);
    }
  });

  it("carries field errors as `errors`, extension members beside the problem, and added headers", async () => {
    const error = new AppError("invalid:form", "Please correct the highlighted fields.", { fieldErrors: { email: ["Enter an email."] } });
    const res = errorResponse(error, { where: "test", headers: { "Referrer-Policy": "no-referrer" }, extensions: { templateId: "t-1", status: 999 } });
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    // An extension never overwrites a member of the problem itself.
    expect(await res.json()).toEqual({ ...problemOf(error), templateId: "t-1" });
    expect(problemOf(error).errors).toEqual({ email: ["Enter an email."] });
  });

  it("hides anything that is not an AppError, and the internal kind, behind a logged 500", async () => {
    logged.length = 0;
    for (const thrown of [new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2"), "a string", null, new AppError("internal:db", "SELECT secret FROM keys")]) {
      const res = errorResponse(thrown, { where: "test" });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).not.toMatch(/ECONNREFUSED|hunter2|secret|a string/);
      expect(JSON.parse(text)).toEqual({ type: "about:blank", title: "Internal Server Error", status: 500, code: "internal", detail: "Something went wrong on our side. Please try again." });
    }
    expect(logged.map((l) => l.fields.where)).toEqual(["test", "test", "test", "test"]);
    expect(publicMessageOf(new AppError("internal", "stack trace"))).not.toMatch(/stack/);
  });

  it("refusal() is errorResponse() of a new AppError", async () => {
    const res = refusal("forbidden:origin", "Cross-site request refused.", { headers: { Allow: "POST" } });
    expect(res.status).toBe(403);
    expect(res.headers.get("allow")).toBe("POST");
    expect(await res.json()).toEqual(problemOf(new AppError("forbidden:origin", "Cross-site request refused.")));
  });
});

describe("fieldErrorsOf", () => {
  it("groups zod issues by dotted path, every message kept, pathless ones under the root", () => {
    const schema = z.object({ email: z.email("Enter an email."), prefill: z.object({ name: z.string().min(2, "Too short.") }) }).refine(() => false, "Never.");
    const parsed = schema.safeParse({ email: "x", prefill: { name: "a" } });
    expect(parsed.success).toBe(false);
    expect(fieldErrorsOf(parsed.error!.issues)).toEqual({ email: ["Enter an email."], "prefill.name": ["Too short."], form: ["Never."] });
    expect(fieldErrorsOf([{ path: [], message: "Whole." }, { path: [], message: "Again." }], "body")).toEqual({ body: ["Whole.", "Again."] });
    expect(fieldErrorsOf([{ path: ["items", 0, Symbol("s")], message: "Odd." }])).toEqual({ "items.0.Symbol(s)": ["Odd."] });
  });
});
