import { isRecord } from "../hub/json";
import type { TemplateComponent } from "../hub/types";
import {
  MEDIA_HEADER_FORMATS,
  TEMPLATE_CATEGORIES,
  emptyDraft,
  type ButtonDraft,
  type HeaderDraft,
  type TemplateCategoryName,
  type TemplateDraft,
} from "./draft";

// Draft ⇄ Messaging API components (hub-contract.md §6). Pure: runs in the browser editor and on the server.

/** A brace cluster: `{…}` on one line, or a lone run of `{` / `}`. Only exactly `{{digits}}` is a variable. */
const BRACE_CLUSTER = /\{+[^{}\n]*\}+|\{+|\}+/g;
const VARIABLE = /^\{\{(0|[1-9]\d*)\}\}$/;
const SINGLE_BRACED_NUMBER = /^\{\s*\d+\s*\}$/;

export type PlaceholderToken = { index: number; raw: string; variable?: number };

/** Every brace cluster of `text`, with `variable` set on the well-formed `{{n}}` ones. */
export function placeholderTokens(text: string): PlaceholderToken[] {
  const tokens: PlaceholderToken[] = [];
  for (const m of text.matchAll(BRACE_CLUSTER)) {
    const raw = m[0];
    const number = VARIABLE.exec(raw)?.[1];
    tokens.push(number === undefined ? { index: m.index, raw } : { index: m.index, raw, variable: Number(number) });
  }
  return tokens;
}

/** The numbers of the `{{n}}` placeholders of `text`, in order of appearance (repeats kept). */
export function variablesIn(text: string): number[] {
  return placeholderTokens(text).flatMap((t) => (t.variable === undefined ? [] : [t.variable]));
}

/** Placeholder-like text that is not `{{n}}`: `{{ 1 }}`, `{{name}}`, `{1}`, `{{1}`, `{{01}}`, a stray `}}`… */
export function malformedPlaceholders(text: string): string[] {
  return placeholderTokens(text)
    .filter((t) => t.variable === undefined && (t.raw.includes("{{") || t.raw.includes("}}") || SINGLE_BRACED_NUMBER.test(t.raw)))
    .map((t) => t.raw);
}

const maxVariable = (text: string): number => Math.max(0, ...variablesIn(text));

// Meta fixes the authentication body and footer texts itself (they are not sent); these are its wording, which
// its lists echo back and the preview shows.
export const AUTH_BODY_TEXT = "{{1}} is your verification code.";
export const AUTH_BODY_SAMPLE = "123456";
export const AUTH_SECURITY_TEXT = "For your security, do not share this code.";
export const authFooterText = (minutes: number): string => `This code expires in ${minutes} minutes.`;

function headerComponent(header: HeaderDraft): TemplateComponent | undefined {
  switch (header.format) {
    case "NONE":
      return undefined;
    case "TEXT":
      return {
        type: "HEADER",
        format: "TEXT",
        text: header.text,
        ...(variablesIn(header.text).length > 0 && header.example !== "" ? { example: { header_text: [header.example] } } : {}),
      };
    case "LOCATION":
      return { type: "HEADER", format: "LOCATION" };
    default:
      return {
        type: "HEADER",
        format: header.format,
        ...(header.example === "" ? {} : { example: { header_handle: [header.example] } }),
      };
  }
}

function buttonComponent(button: ButtonDraft): Record<string, unknown> {
  switch (button.type) {
    case "QUICK_REPLY":
      return { type: "QUICK_REPLY", text: button.text };
    case "URL":
      return {
        type: "URL",
        text: button.text,
        url: button.url,
        ...(variablesIn(button.url).length > 0 && button.example !== "" ? { example: [button.example] } : {}),
      };
    case "PHONE_NUMBER":
      return { type: "PHONE_NUMBER", text: button.text, phone_number: button.phoneNumber };
    case "OTP":
      return { type: "OTP", otp_type: button.otpType, ...(button.text === "" ? {} : { text: button.text }) };
  }
}

function authenticationComponents(draft: TemplateDraft): TemplateComponent[] {
  const components: TemplateComponent[] = [
    {
      type: "BODY",
      add_security_recommendation: draft.addSecurityRecommendation,
    },
  ];
  if (draft.codeExpirationMinutes !== null) {
    const minutes = draft.codeExpirationMinutes;
    components.push({ type: "FOOTER", code_expiration_minutes: minutes });
  }
  if (draft.buttons.length > 0) components.push({ type: "BUTTONS", buttons: draft.buttons.map(buttonComponent) });
  return components;
}

/** The Messaging API's `components` for a draft (hub-contract.md §6; Meta's authentication-template shape). */
export function toComponents(draft: TemplateDraft): TemplateComponent[] {
  if (draft.category === "AUTHENTICATION") return authenticationComponents(draft);
  const components: TemplateComponent[] = [];
  const header = headerComponent(draft.header);
  if (header) components.push(header);
  const count = maxVariable(draft.body);
  components.push({
    type: "BODY",
    text: draft.body,
    ...(count > 0 ? { example: { body_text: [Array.from({ length: count }, (_, i) => draft.bodyExamples[i] ?? "")] } } : {}),
  });
  if (draft.footer.trim() !== "") components.push({ type: "FOOTER", text: draft.footer });
  if (draft.buttons.length > 0) components.push({ type: "BUTTONS", buttons: draft.buttons.map(buttonComponent) });
  return components;
}

// ---- The inverse: lenient, for whatever 360dialog lists return (lowercase types, legacy shapes, junk).

type Json = Record<string, unknown>;
const text = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const upper = (v: unknown): string => text(v).toUpperCase();
const firstText = (v: unknown): string => (Array.isArray(v) ? text(v[0]) : text(v));

function readHeader(c: Json): HeaderDraft {
  const format = upper(c.format) || (typeof c.text === "string" ? "TEXT" : "");
  const example = isRecord(c.example) ? c.example : {};
  if (format === "TEXT") return { format: "TEXT", text: text(c.text), example: firstText(example.header_text) };
  if (format === "LOCATION") return { format: "LOCATION" };
  const media = MEDIA_HEADER_FORMATS.find((f) => f === format);
  return media ? { format: media, example: firstText(example.header_handle) } : { format: "NONE" };
}

function readBodyExamples(example: unknown): string[] {
  const rows = isRecord(example) ? example.body_text : undefined;
  if (!Array.isArray(rows)) return [];
  // Current shape [[a, b]]; some older lists carry a flat [a, b].
  const row: unknown[] = Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows;
  return row.map(text);
}

// UNVERIFIED: Meta's lists have been seen to return an OTP button as a URL button pointing at
// https://www.whatsapp.com/otp/code/?otp_type=…; read it back as the OTP button it was created as.
function otpFromUrl(url: string, label: string): ButtonDraft | undefined {
  if (!/^https:\/\/(www\.)?whatsapp\.com\/otp\//i.test(url)) return undefined;
  return { type: "OTP", otpType: /otp_type=one_tap/i.test(url) ? "ONE_TAP" : "COPY_CODE", text: label };
}

function readButton(b: unknown, category: TemplateCategoryName): ButtonDraft | undefined {
  if (!isRecord(b)) return undefined;
  const label = text(b.text);
  switch (upper(b.type)) {
    case "QUICK_REPLY":
      return { type: "QUICK_REPLY", text: label };
    case "URL": {
      const url = text(b.url);
      const otp = category === "AUTHENTICATION" ? otpFromUrl(url, label) : undefined;
      return otp ?? { type: "URL", text: label, url, example: firstText(b.example) };
    }
    case "PHONE_NUMBER":
      return { type: "PHONE_NUMBER", text: label, phoneNumber: text(b.phone_number) };
    case "OTP":
      return { type: "OTP", otpType: upper(b.otp_type) === "ONE_TAP" ? "ONE_TAP" : "COPY_CODE", text: label };
    default:
      // COPY_CODE, FLOW, CATALOG, MPM… have no place in the draft: dropped, never thrown on.
      return undefined;
  }
}

function expirationMinutes(c: Json): number | null {
  const raw = typeof c.code_expiration_minutes === "number" ? c.code_expiration_minutes : Number(/(\d+)\s*minute/i.exec(text(c.text))?.[1]);
  return Number.isInteger(raw) && raw >= 1 && raw <= 90 ? raw : null;
}

export type ComponentsSource = {
  name: string;
  language: string;
  category: string;
  components: unknown[];
  /** Not part of the components; lists do not carry it. Defaults to false (the API's default). */
  allowCategoryChange?: boolean;
};

/** The draft for a template as listed by 360dialog; never throws on unknown or legacy shapes. */
export function fromComponents(source: ComponentsSource): TemplateDraft {
  const draft = emptyDraft();
  const category = TEMPLATE_CATEGORIES.find((c) => c === upper(source.category));
  draft.name = text(source.name);
  draft.language = text(source.language);
  draft.category = category ?? "UTILITY";
  // An unknown (legacy) category is a guess: let Meta re-categorise rather than reject.
  draft.allowCategoryChange = category === undefined ? true : source.allowCategoryChange === true;
  const auth = draft.category === "AUTHENTICATION";
  for (const c of Array.isArray(source.components) ? source.components : []) {
    if (!isRecord(c)) continue;
    const type = upper(c.type);
    if (type === "HEADER") draft.header = readHeader(c);
    else if (type === "BODY" && auth) {
      draft.addSecurityRecommendation =
        typeof c.add_security_recommendation === "boolean" ? c.add_security_recommendation : /do not share/i.test(text(c.text));
    } else if (type === "BODY") {
      draft.body = text(c.text);
      draft.bodyExamples = readBodyExamples(c.example);
    } else if (type === "FOOTER" && auth) draft.codeExpirationMinutes = expirationMinutes(c);
    else if (type === "FOOTER") draft.footer = text(c.text);
    else if (type === "BUTTONS" && Array.isArray(c.buttons)) {
      draft.buttons = c.buttons.flatMap((b) => readButton(b, draft.category) ?? []);
    }
  }
  return draft;
}
