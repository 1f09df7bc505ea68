import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createMessagingApi } from "@/lib/hub/messaging-api";
import { listPageSchema, templateSchema } from "@/lib/hub/types";
import { validateTemplate } from "@/sandbox/template-rules";
import { fromComponents, parameterFormatOf, toComponents } from "./components";
import { hubRefusalFindings } from "./hub-findings";
import { hasErrors, lintTemplate } from "./lint";
import { previewOf } from "./preview";

// The payloads of test/fixtures/templates, as the documentation shows them (docs/templates-meta.md cites each),
// through what the portal does with a template Meta holds: read back, lint, preview, send back.

type Fixture = { name: string; language: string; category: string; parameter_format?: string; components: Record<string, unknown>[] };
const fixture = <T = Fixture>(file: string): T =>
  JSON.parse(readFileSync(path.join(process.cwd(), "test/fixtures/templates", file), "utf8")) as T;

const readBack = (t: Fixture) => fromComponents({ name: t.name, language: t.language, category: t.category, components: t.components });

describe("named parameters (named-params.json)", () => {
  const t = fixture("named-params.json");
  const draft = readBack(t);

  it("reads the names and their samples back, in the body's order", () => {
    expect(draft.body).toContain("{{customer_name}}");
    expect(draft.bodyExamples).toEqual(["John", "December 20th", "3:00 PM"]);
    expect(draft.header).toEqual({ format: "TEXT", text: "Appointment for {{customer_name}}", example: "John" });
    expect(parameterFormatOf(draft)).toBe("NAMED");
  });

  it("lints clean, previews with the samples, and is sent back exactly as Meta holds it", () => {
    expect(lintTemplate(draft).filter((f) => f.severity === "error")).toEqual([]);
    const preview = previewOf(draft);
    expect(preview.header).toEqual({ kind: "text", text: "Appointment for John" });
    expect(preview.body[0]?.map((r) => r.text).join("")).toBe(
      "Hello John, your appointment has been rescheduled to December 20th at 3:00 PM. Please confirm your attendance.",
    );
    expect(toComponents(draft)).toEqual(t.components);
  });

  it("is what the sandbox accepts as a NAMED template", () => {
    expect(validateTemplate(t, () => false)).toMatchObject({ parameterFormat: "NAMED" });
  });
});

describe("GIF header (gif-header.json)", () => {
  const t = fixture("gif-header.json");
  const draft = readBack(t);

  it("reads back as a GIF header with its sample, not as no header", () => {
    expect(draft.header).toEqual({ format: "GIF", example: "4::aW1hZ2UvZ2lm:ARb_sample_handle" });
    expect(hasErrors(lintTemplate(draft))).toBe(false);
    expect(previewOf(draft).header).toEqual({ kind: "media", format: "GIF", url: "4::aW1hZ2UvZ2lm:ARb_sample_handle" });
    expect(toComponents(draft)).toEqual(t.components);
    expect(() => validateTemplate(t, () => false)).not.toThrow();
  });
});

describe("every button type (buttons.json, a 360dialog list page)", () => {
  const page = listPageSchema("waba_templates", templateSchema).parse(fixture<unknown>("buttons.json"));

  it.each(page.items.map((item) => [item.name, item] as const))("%s is read back whole and sent back unchanged", (_name, item) => {
    const draft = fromComponents({ name: item.name, language: item.language ?? "", category: item.category ?? "", components: item.components });
    const kinds = draft.buttons.map((b) => (b.type === "KEPT" ? b.kind : b.type));
    const listed = (item.components as Record<string, unknown>[]).flatMap((c) => (Array.isArray(c.buttons) ? c.buttons.map((b) => (b as { type: string }).type) : []));
    expect(kinds).toEqual(listed);
    expect(hasErrors(lintTemplate(draft))).toBe(false);
    expect(toComponents(draft)).toEqual(item.components);
    expect(() => validateTemplate({ name: item.name, language: item.language, category: item.category, components: item.components }, () => false)).not.toThrow();
    for (const b of previewOf(draft).buttons) expect(b.label.trim()).not.toBe("");
  });
});

describe("a deleted name (deleted-name-error.json)", () => {
  it("comes back as Meta's words beside the name", async () => {
    const body = fixture<Record<string, unknown>>("deleted-name-error.json");
    const api = createMessagingApi({
      baseUrl: "https://waba-v2.example",
      apiKey: "k",
      retries: 0,
      circuitBreaker: false,
      fetch: async () => Response.json(body, { status: 400 }),
    });
    const error = await api.createTemplate({ name: "order_update", language: "en", category: "UTILITY", components: [] }).catch((e: unknown) => e);
    const findings = hubRefusalFindings(error);
    expect(findings?.[0]?.message).toContain("can't be added while the existing en content is being deleted");
  });
});
