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

// Draft ⇄ Messaging API components (docs/hub-contract.md §6). Pure: runs in the browser editor and on the server.

type Json = Record<string, unknown>;
const text = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const upper = (v: unknown): string => text(v).toUpperCase();

/** A brace cluster: `{…}` on one line, or a lone run of `{` / `}`. Only exactly `{{digits}}` or `{{name}}` is a variable. */
const BRACE_CLUSTER = /\{+[^{}\n]*\}+|\{+|\}+/g;
const VARIABLE = /^\{\{(0|[1-9]\d*)\}\}$/;
/**
 * Meta's named parameters (`parameter_format: "NAMED"`, docs/templates-meta.md §3): lowercase letters, digits and
 * underscores, and not digits only (that is a positional `{{1}}`).
 */
const NAMED_VARIABLE = /^\{\{([a-z0-9_]*[a-z_][a-z0-9_]*)\}\}$/;
export const PARAM_NAME_PATTERN = /^[a-z0-9_]*[a-z_][a-z0-9_]*$/;
const SINGLE_BRACED_NUMBER = /^\{\s*\d+\s*\}$/;

/**
 * `variable` is the sample slot (1-based): the number of a `{{n}}`, or for a `{{name}}` the place of its name among
 * the text's distinct names in order of first appearance (so `bodyExamples[variable - 1]` is its sample either way).
 */
export type PlaceholderToken = { index: number; raw: string; variable?: number; name?: string };

/**
 * Every brace cluster of `text`, with `variable` set on the well-formed ones. `names` gives the slot order of named
 * variables when `text` is one line of a longer text (the preview); by default it is `text`'s own order.
 */
export function placeholderTokens(text: string, names?: readonly string[]): PlaceholderToken[] {
  const tokens: PlaceholderToken[] = [];
  const order = names ? [...names] : [];
  for (const m of text.matchAll(BRACE_CLUSTER)) {
    const raw = m[0];
    const number = VARIABLE.exec(raw)?.[1];
    if (number !== undefined) {
      tokens.push({ index: m.index, raw, variable: Number(number) });
      continue;
    }
    const name = NAMED_VARIABLE.exec(raw)?.[1];
    if (name === undefined) {
      tokens.push({ index: m.index, raw });
      continue;
    }
    if (!order.includes(name)) order.push(name);
    tokens.push({ index: m.index, raw, name, variable: order.indexOf(name) + 1 });
  }
  return tokens;
}

/** The sample slots of the variables of `text`, in order of appearance (repeats kept). */
export function variablesIn(text: string): number[] {
  return placeholderTokens(text).flatMap((t) => (t.variable === undefined ? [] : [t.variable]));
}

/** The distinct `{{name}}` variables of `text`, in order of first appearance. */
export function namedVariablesIn(text: string): string[] {
  return [...new Set(placeholderTokens(text).flatMap((t) => (t.name === undefined ? [] : [t.name])))];
}

/** Whether `text` has a positional `{{n}}` variable. */
export function hasPositional(text: string): boolean {
  return placeholderTokens(text).some((t) => t.variable !== undefined && t.name === undefined);
}

/** Placeholder-like text that is neither `{{n}}` nor `{{name}}`: `{{ 1 }}`, `{{Name}}`, `{1}`, `{{1}`, `{{01}}`, a stray `}}`… */
export function malformedPlaceholders(text: string): string[] {
  return placeholderTokens(text)
    .filter((t) => t.variable === undefined && (t.raw.includes("{{") || t.raw.includes("}}") || SINGLE_BRACED_NUMBER.test(t.raw)))
    .map((t) => t.raw);
}

/** The draft's parameter format: NAMED as soon as its header or body uses a `{{name}}` (one style per template). */
export function parameterFormatOf(draft: Pick<TemplateDraft, "category" | "header" | "body">): "NAMED" | "POSITIONAL" {
  if (draft.category === "AUTHENTICATION") return "POSITIONAL";
  const header = draft.header.format === "TEXT" ? draft.header.text : "";
  return namedVariablesIn(draft.body).length + namedVariablesIn(header).length > 0 ? "NAMED" : "POSITIONAL";
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
    case "TEXT": {
      const [name] = namedVariablesIn(header.text);
      const example =
        name !== undefined
          ? { header_text_named_params: [{ param_name: name, example: header.example }] }
          : { header_text: [header.example] };
      return {
        type: "HEADER",
        format: "TEXT",
        text: header.text,
        ...(variablesIn(header.text).length > 0 && header.example !== "" ? { example } : {}),
      };
    }
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
    case "KEPT":
      return { ...button.raw, type: upper(button.raw.type) || button.kind };
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

/** The Messaging API's `components` for a draft (docs/hub-contract.md §6; Meta's authentication-template shape). */
export function toComponents(draft: TemplateDraft): TemplateComponent[] {
  if (draft.category === "AUTHENTICATION") return authenticationComponents(draft);
  const components: TemplateComponent[] = [];
  const header = headerComponent(draft.header);
  if (header) components.push(header);
  const names = namedVariablesIn(draft.body);
  const count = names.length > 0 ? names.length : maxVariable(draft.body);
  const example =
    names.length > 0
      ? { body_text_named_params: names.map((name, i) => ({ param_name: name, example: draft.bodyExamples[i] ?? "" })) }
      : { body_text: [Array.from({ length: count }, (_, i) => draft.bodyExamples[i] ?? "")] };
  components.push({ type: "BODY", text: draft.body, ...(count > 0 ? { example } : {}) });
  if (draft.footer.trim() !== "") components.push({ type: "FOOTER", text: draft.footer });
  // Parts the editor cannot hold go back as they were read (docs/templates-meta.md §3).
  for (const kept of draft.keptComponents) components.push({ ...kept, type: upper(kept.type) } as TemplateComponent);
  if (draft.buttons.length > 0) components.push({ type: "BUTTONS", buttons: draft.buttons.map(buttonComponent) });
  return components;
}

// ---- The inverse: lenient, for whatever 360dialog lists return (lowercase types, legacy shapes, junk).

const firstText = (v: unknown): string => (Array.isArray(v) ? text(v[0]) : text(v));

function readHeader(c: Json): HeaderDraft {
  const format = upper(c.format) || (typeof c.text === "string" ? "TEXT" : "");
  const example = isRecord(c.example) ? c.example : {};
  if (format === "TEXT") return { format: "TEXT", text: text(c.text), example: firstText(example.header_text) || namedSample(example.header_text_named_params) };
  if (format === "LOCATION") return { format: "LOCATION" };
  const media = MEDIA_HEADER_FORMATS.find((f) => f === format);
  return media ? { format: media, example: firstText(example.header_handle) } : { format: "NONE" };
}

/** The first `{param_name, example}`'s example. */
function namedSample(params: unknown): string {
  const first: unknown = Array.isArray(params) ? params[0] : undefined;
  return isRecord(first) ? text(first.example) : "";
}

function readBodyExamples(example: unknown, body: string): string[] {
  const named = isRecord(example) ? example.body_text_named_params : undefined;
  if (Array.isArray(named)) {
    // By name, in the order the body first uses them (the draft's slot order), whatever order Meta lists them in.
    const byName = new Map(named.filter(isRecord).map((p) => [text(p.param_name), text(p.example)]));
    return namedVariablesIn(body).map((name) => byName.get(name) ?? "");
  }
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
  if (upper(b.type) === "OTP" && category !== "AUTHENTICATION") return { type: "KEPT", kind: "OTP", text: text(b.text), raw: { ...b } };
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
    default: {
      // COPY_CODE, FLOW, CATALOG, MPM… are kept as read: shown read-only, sent back unchanged (docs/templates-meta.md §3).
      const kind = upper(b.type) || "UNKNOWN";
      return { type: "KEPT", kind, text: label, raw: { ...b } };
    }
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
      draft.bodyExamples = readBodyExamples(c.example, draft.body);
    } else if (type === "FOOTER" && auth) draft.codeExpirationMinutes = expirationMinutes(c);
    else if (type === "FOOTER") draft.footer = text(c.text);
    else if (type === "BUTTONS" && Array.isArray(c.buttons)) {
      draft.buttons = c.buttons.flatMap((b) => readButton(b, draft.category) ?? []);
    } else if (type !== "HEADER" && type !== "BODY" && type !== "FOOTER" && type !== "BUTTONS") {
      draft.keptComponents.push({ ...c });
    }
  }
  return draft;
}
