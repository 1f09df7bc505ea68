import { z } from "zod";

// The template as staff write it in the editor: one flat shape the form, the linter, the preview and the server
// share. `components.ts` turns it into the Messaging API's components (docs/hub-contract.md §6) and back. Pure: runs in the
// browser (lint as you type) and on the server (lint again before anything is sent).

export const TEMPLATE_CATEGORIES = ["MARKETING", "UTILITY", "AUTHENTICATION"] as const;
export type TemplateCategoryName = (typeof TEMPLATE_CATEGORIES)[number];

// GIF: Meta's animated header for MARKETING templates, an mp4 sample like VIDEO (docs/templates-meta.md §3).
export const MEDIA_HEADER_FORMATS = ["IMAGE", "VIDEO", "GIF", "DOCUMENT"] as const;
export type MediaHeaderFormat = (typeof MEDIA_HEADER_FORMATS)[number];

export type HeaderDraft =
  | { format: "NONE" }
  | { format: "TEXT"; text: string; example: string }
  | { format: MediaHeaderFormat; example: string }
  | { format: "LOCATION" };

export type ButtonDraft =
  | { type: "QUICK_REPLY"; text: string }
  /** `url` may end in one `{{1}}`; `example` is then the full sample URL. */
  | { type: "URL"; text: string; url: string; example: string }
  | { type: "PHONE_NUMBER"; text: string; phoneNumber: string }
  | { type: "OTP"; otpType: "COPY_CODE" | "ONE_TAP"; text: string }
  /**
   * A button Meta holds that the editor cannot change (COPY_CODE, FLOW, CATALOG, MPM, …): shown read-only and sent
   * back exactly as read (docs/templates-meta.md §3). The server takes `raw` from the stored template, never
   * from the browser.
   */
  | { type: "KEPT"; kind: string; text: string; raw: Record<string, unknown> };

export type TemplateDraft = {
  name: string;
  /** e.g. `en`, `en_US`, `de`. */
  language: string;
  category: TemplateCategoryName;
  allowCategoryChange: boolean;
  header: HeaderDraft;
  body: string;
  /**
   * `bodyExamples[i]` is the sample for `{{i+1}}`, or with named variables for the i-th distinct `{{name}}` in
   * order of first appearance (components.ts `bodyVariableKeys`).
   */
  bodyExamples: string[];
  /** "" = no footer. */
  footer: string;
  buttons: ButtonDraft[];
  /** AUTHENTICATION only: Meta's fixed body with the security sentence. */
  addSecurityRecommendation: boolean;
  /** AUTHENTICATION only: shown as the footer "This code expires in N minutes"; null = none. */
  codeExpirationMinutes: number | null;
  /** Components the editor cannot hold (a carousel, a limited-time offer…), kept verbatim after the footer. */
  keptComponents: Record<string, unknown>[];
};

export function emptyDraft(): TemplateDraft {
  return {
    name: "",
    language: "en",
    category: "UTILITY",
    allowCategoryChange: true,
    header: { format: "NONE" },
    body: "",
    bodyExamples: [],
    footer: "",
    buttons: [],
    addSecurityRecommendation: true,
    codeExpirationMinutes: null,
    keptComponents: [],
  };
}

// Bounds here only stop abuse of the endpoint (a 10 MB body); WhatsApp's own limits are the linter's job, so
// a draft over them can still be saved and shown with its findings.
const text = (max = 4096) => z.string().max(max);

const headerSchema = z.discriminatedUnion("format", [
  z.object({ format: z.literal("NONE") }),
  z.object({ format: z.literal("TEXT"), text: text(), example: text().default("") }),
  z.object({ format: z.enum(MEDIA_HEADER_FORMATS), example: text(2048).default("") }),
  z.object({ format: z.literal("LOCATION") }),
]);

const buttonSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("QUICK_REPLY"), text: text(256) }),
  z.object({ type: z.literal("URL"), text: text(256), url: text(2048), example: text(2048).default("") }),
  z.object({ type: z.literal("PHONE_NUMBER"), text: text(256), phoneNumber: text(64) }),
  z.object({ type: z.literal("OTP"), otpType: z.enum(["COPY_CODE", "ONE_TAP"]), text: text(256).default("") }),
  z.object({ type: z.literal("KEPT"), kind: text(40), text: text(256).default(""), raw: z.record(z.string(), z.unknown()).default({}) }),
]);

export const templateDraftSchema = z.object({
  name: text(1024),
  language: text(32),
  category: z.enum(TEMPLATE_CATEGORIES),
  allowCategoryChange: z.boolean().default(false),
  header: headerSchema.default({ format: "NONE" }),
  body: text(),
  bodyExamples: z.array(text(1024)).max(100).default([]),
  footer: text(1024).default(""),
  buttons: z.array(buttonSchema).max(20).default([]),
  addSecurityRecommendation: z.boolean().default(false),
  codeExpirationMinutes: z.number().int().min(1).max(90).nullable().default(null),
  keptComponents: z.array(z.record(z.string(), z.unknown())).max(10).default([]),
}) satisfies z.ZodType<TemplateDraft, unknown>;
