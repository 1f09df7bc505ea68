import { HttpError } from "./http-util";
import { randomAlnum } from "./ids";

// Meta-like validation of POST /v1/configs/templates (docs/hub-contract.md §6). Errors come back the way Meta's
// Graph API reports them: HTTP 400 {"error":{message,type:"OAuthException",code:100,error_subcode,...}}.
// Subcodes 2388040 (length), 2388047 (header format) and 2388024 (duplicate language) follow public Meta
// error references; the others (23880xx below 2388010) are sandbox choices (UNVERIFIED). The portal should
// show error_user_title/error_user_msg and never branch on a subcode.

export const SUBCODE = {
  name: 2388001,
  category: 2388002,
  language: 2388003,
  components: 2388004,
  variables: 2388005,
  examples: 2388006,
  buttons: 2388007,
  length: 2388040,
  headerFormat: 2388047,
  duplicate: 2388024,
  /** Meta's "content is being deleted" (a name and language deleted in the last 4 weeks), seen in real integrations. */
  deletedName: 2388023,
  /** Sandbox choice (UNVERIFIED): an edit Meta's rules refuse (status, category, once a day / ten a month). */
  editRefused: 2388060,
} as const;

export function graphError(subcode: number, title: string, message: string, status = 400): HttpError {
  return new HttpError(status, {
    error: {
      message: "Invalid parameter",
      type: "OAuthException",
      code: 100,
      error_subcode: subcode,
      is_transient: false,
      error_user_title: title,
      error_user_msg: message,
      fbtrace_id: randomAlnum(27),
    },
  });
}

export interface ValidTemplate {
  name: string;
  language: string;
  category: string;
  components: Record<string, unknown>[];
  /** "NAMED" when the request said so (its variables are `{{name}}`), else "POSITIONAL". */
  parameterFormat: "NAMED" | "POSITIONAL";
}

const CATEGORIES = new Set(["AUTHENTICATION", "MARKETING", "UTILITY"]);
const COMPONENT_TYPES = new Set(["HEADER", "BODY", "FOOTER", "BUTTONS"]);
const HEADER_FORMATS = new Set(["TEXT", "IMAGE", "VIDEO", "GIF", "DOCUMENT", "LOCATION"]);
const BUTTON_TYPES = new Set(["QUICK_REPLY", "URL", "PHONE_NUMBER", "OTP", "COPY_CODE", "FLOW", "CATALOG", "MPM", "VOICE_CALL"]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

type Format = ValidTemplate["parameterFormat"];

/** The numbers of `{{n}}` placeholders; throws on a placeholder that is not `{{digits}}`. */
function variablesOf(text: string, where: string): number[] {
  const found: number[] = [];
  for (const m of text.matchAll(/\{\{([^}]*)\}\}/g)) {
    const inner = m[1] ?? "";
    if (!/^\d+$/.test(inner)) {
      throw graphError(SUBCODE.variables, "Variable format incorrect", `${where} has a variable {{${inner}}}; use {{1}}, {{2}}, … in order, or set parameter_format to NAMED.`);
    }
    found.push(Number(inner));
  }
  return found;
}

/** The distinct names of `{{name}}` placeholders (lowercase letters, digits, _); throws on anything else. */
function namesOf(text: string, where: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\{\{([^}]*)\}\}/g)) {
    const inner = m[1] ?? "";
    if (!/^[a-z0-9_]*[a-z_][a-z0-9_]*$/.test(inner)) {
      throw graphError(SUBCODE.variables, "Variable format incorrect", `${where} has a variable {{${inner}}}; with parameter_format NAMED write {{name}} in lowercase letters, digits and _.`);
    }
    if (!found.includes(inner)) found.push(inner);
  }
  return found;
}

/** Every name used has one `{param_name, example}` with a non-empty example (Meta's `*_named_params`). */
function checkNamedExamples(names: string[], params: unknown, field: string, where: string): void {
  if (names.length === 0) return;
  const given = new Map<string, unknown>();
  for (const p of Array.isArray(params) ? params : []) if (isObject(p) && typeof p.param_name === "string") given.set(p.param_name, p.example);
  const missing = names.filter((n) => typeof given.get(n) !== "string" || given.get(n) === "");
  if (missing.length > 0) {
    throw graphError(SUBCODE.examples, "Sample values missing", `${where} uses {{${missing.join("}}, {{")}}}: give example.${field} as [{param_name, example}] for each.`);
  }
}

function checkSequential(numbers: number[], where: string): number {
  const unique = [...new Set(numbers)].sort((a, b) => a - b);
  if (unique.some((n, i) => n !== i + 1)) {
    throw graphError(SUBCODE.variables, "Variables not sequential", `${where} variables must be numbered {{1}} to {{${unique.length}}} without gaps.`);
  }
  return unique.length;
}

function textOf(c: Record<string, unknown>, type: string, max: number): string {
  const text = c.text;
  if (typeof text !== "string" || text.trim() === "") {
    throw graphError(SUBCODE.components, `${type} text missing`, `The ${type} component needs a non-empty text.`);
  }
  if (text.length > max) {
    throw graphError(SUBCODE.length, "Character limit exceeded", `The ${type} text has ${text.length} characters; the limit is ${max}.`);
  }
  return text;
}

// AUTHENTICATION templates carry no body or footer text: Meta writes them from `add_security_recommendation`
// and `code_expiration_minutes` (Meta's authentication-template reference).
function checkAuthBody(c: Record<string, unknown>): void {
  if (c.text !== undefined) return checkBody(c, "POSITIONAL");
  if (c.add_security_recommendation !== undefined && typeof c.add_security_recommendation !== "boolean") {
    throw graphError(SUBCODE.components, "Invalid parameter", "add_security_recommendation must be true or false.");
  }
}

function checkAuthFooter(c: Record<string, unknown>): void {
  if (c.text !== undefined) return checkFooter(c);
  const minutes = c.code_expiration_minutes;
  if (typeof minutes !== "number" || !Number.isInteger(minutes) || minutes < 1 || minutes > 90) {
    throw graphError(SUBCODE.components, "Invalid parameter", "code_expiration_minutes must be a whole number from 1 to 90.");
  }
}

function checkBody(c: Record<string, unknown>, format: Format): void {
  const text = textOf(c, "BODY", 1024);
  if (format === "NAMED") {
    checkNamedExamples(namesOf(text, "The body"), isObject(c.example) ? c.example.body_text_named_params : undefined, "body_text_named_params", "The body");
    return;
  }
  const count = checkSequential(variablesOf(text, "The body"), "Body");
  if (count === 0) return;
  const rows = isObject(c.example) ? c.example.body_text : undefined;
  const first = Array.isArray(rows) ? (rows[0] as unknown) : undefined;
  if (!Array.isArray(first) || first.length !== count || first.some((v) => typeof v !== "string" || v === "")) {
    throw graphError(SUBCODE.examples, "Sample values missing", `The body uses ${count} variable(s): give example.body_text as [[${count} sample value(s)]].`);
  }
}

function checkHeader(c: Record<string, unknown>, parameterFormat: Format): void {
  const format = typeof c.format === "string" ? c.format.toUpperCase() : "TEXT";
  if (!HEADER_FORMATS.has(format)) {
    throw graphError(SUBCODE.headerFormat, "Header format incorrect", `Header format must be one of ${[...HEADER_FORMATS].join(", ")}.`);
  }
  const example = isObject(c.example) ? c.example : {};
  if (format !== "TEXT") {
    if (format !== "LOCATION" && (!Array.isArray(example.header_handle) || example.header_handle.length === 0)) {
      throw graphError(SUBCODE.examples, "Sample media missing", `A ${format} header needs example.header_handle.`);
    }
    return;
  }
  const text = textOf(c, "HEADER", 60);
  if (/[\n*]/.test(text)) throw graphError(SUBCODE.headerFormat, "Header format incorrect", "A text header can't contain new lines or asterisks.");
  if (parameterFormat === "NAMED") {
    const names = namesOf(text, "The header");
    if (names.length > 1) throw graphError(SUBCODE.variables, "Too many header variables", "A text header can have at most one variable.");
    checkNamedExamples(names, example.header_text_named_params, "header_text_named_params", "The header");
    return;
  }
  const count = checkSequential(variablesOf(text, "The header"), "Header");
  if (count > 1) throw graphError(SUBCODE.variables, "Too many header variables", "A text header can have at most one variable.");
  if (count === 1 && (!Array.isArray(example.header_text) || example.header_text.length === 0)) {
    throw graphError(SUBCODE.examples, "Sample values missing", "The header uses a variable: give example.header_text.");
  }
}

function checkFooter(c: Record<string, unknown>): void {
  const text = textOf(c, "FOOTER", 60);
  if (/\{\{[^}]*\}\}/.test(text)) throw graphError(SUBCODE.variables, "Footer variables", "The footer can't contain variables.");
}

function checkButtons(c: Record<string, unknown>): void {
  const buttons = c.buttons;
  if (!Array.isArray(buttons) || buttons.length === 0) {
    throw graphError(SUBCODE.buttons, "Buttons missing", "The BUTTONS component needs a non-empty buttons array.");
  }
  if (buttons.length > 10) throw graphError(SUBCODE.buttons, "Too many buttons", `A template can have at most 10 buttons (got ${buttons.length}).`);
  for (const [i, b] of buttons.entries()) {
    const type = isObject(b) && typeof b.type === "string" ? b.type.toUpperCase() : "";
    if (!isObject(b) || !BUTTON_TYPES.has(type)) {
      throw graphError(SUBCODE.buttons, "Button type invalid", `Button ${i + 1} needs a type among ${[...BUTTON_TYPES].join(", ")}.`);
    }
    const needsText = type !== "OTP" && type !== "COPY_CODE" && type !== "CATALOG" && type !== "MPM";
    if (needsText && (typeof b.text !== "string" || b.text.trim() === "")) {
      throw graphError(SUBCODE.buttons, "Button text missing", `Button ${i + 1} needs a text.`);
    }
    if (typeof b.text === "string" && b.text.length > 25) {
      throw graphError(SUBCODE.length, "Character limit exceeded", `Button ${i + 1} text has ${b.text.length} characters; the limit is 25.`);
    }
    if (type === "URL" && typeof b.url !== "string") throw graphError(SUBCODE.buttons, "Button URL missing", `URL button ${i + 1} needs a url.`);
    if (type === "PHONE_NUMBER" && typeof b.phone_number !== "string") {
      throw graphError(SUBCODE.buttons, "Button phone number missing", `PHONE_NUMBER button ${i + 1} needs a phone_number.`);
    }
  }
}

/** Validates a template request; `exists(name, language)` reports a duplicate in the same WABA. */
export function validateTemplate(input: unknown, exists: (name: string, language: string) => boolean): ValidTemplate {
  if (!isObject(input)) throw graphError(SUBCODE.components, "Invalid request", "The request body must be a JSON object.");
  const { name, language } = input;
  const parameterFormat = parameterFormatOf(input);
  if (typeof name !== "string" || !/^[a-z0-9_]{1,512}$/.test(name)) {
    throw graphError(SUBCODE.name, "Template name invalid", "The name may contain only lowercase letters, digits and underscores (1–512 characters).");
  }
  const category = typeof input.category === "string" ? input.category.toUpperCase() : "";
  if (!CATEGORIES.has(category)) {
    throw graphError(SUBCODE.category, "Category invalid", "The category must be AUTHENTICATION, MARKETING or UTILITY.");
  }
  if (typeof language !== "string" || !/^[a-z]{2,3}(_[A-Z]{2})?$/.test(language)) {
    throw graphError(SUBCODE.language, "Language invalid", "The language must be a code such as en or en_US.");
  }
  if (!Array.isArray(input.components) || input.components.length === 0) {
    throw graphError(SUBCODE.components, "Components missing", "The template needs a components array with a BODY.");
  }
  const components = validateComponents(input.components, category, parameterFormat);
  if (exists(name, language)) {
    throw graphError(SUBCODE.duplicate, "Content in this language already exists", `A template named ${name} already exists in ${language}.`);
  }
  return { name, language, category, components, parameterFormat };
}

function parameterFormatOf(input: Record<string, unknown>): Format {
  const raw = input.parameter_format;
  if (raw === undefined || raw === null) return "POSITIONAL";
  const format = typeof raw === "string" ? raw.toUpperCase() : "";
  if (format !== "NAMED" && format !== "POSITIONAL") {
    throw graphError(SUBCODE.variables, "Invalid parameter", "parameter_format must be NAMED or POSITIONAL.");
  }
  return format;
}

/** Validates an in-place edit: new components (and perhaps category) for a template that keeps name and language. */
export function validateEdit(input: unknown, current: { category: string }): Pick<ValidTemplate, "components" | "category" | "parameterFormat"> {
  if (!isObject(input)) throw graphError(SUBCODE.components, "Invalid request", "The request body must be a JSON object.");
  if (input.name !== undefined || input.language !== undefined) {
    throw graphError(SUBCODE.editRefused, "Name and language can't be edited", "An edit changes components and category only; name and language stay.");
  }
  const category = input.category === undefined ? current.category : typeof input.category === "string" ? input.category.toUpperCase() : "";
  if (!CATEGORIES.has(category)) throw graphError(SUBCODE.category, "Category invalid", "The category must be AUTHENTICATION, MARKETING or UTILITY.");
  const parameterFormat = parameterFormatOf(input);
  return { category, parameterFormat, components: validateComponents(input.components, category, parameterFormat) };
}

function validateComponents(list: unknown, category: string, parameterFormat: Format): Record<string, unknown>[] {
  if (!Array.isArray(list) || list.length === 0) {
    throw graphError(SUBCODE.components, "Components missing", "The template needs a components array with a BODY.");
  }
  const seen = new Set<string>();
  const components: Record<string, unknown>[] = [];
  for (const raw of list as unknown[]) {
    const type = isObject(raw) && typeof raw.type === "string" ? raw.type.toUpperCase() : "";
    if (!isObject(raw) || !COMPONENT_TYPES.has(type)) {
      throw graphError(SUBCODE.components, "Component type invalid", "Each component needs a type among HEADER, BODY, FOOTER, BUTTONS.");
    }
    if (seen.has(type)) throw graphError(SUBCODE.components, "Duplicate component", `The template has more than one ${type} component.`);
    seen.add(type);
    const auth = category === "AUTHENTICATION";
    if (type === "BODY") {
      if (auth) checkAuthBody(raw);
      else checkBody(raw, parameterFormat);
    } else if (type === "HEADER") checkHeader(raw, parameterFormat);
    else if (type === "FOOTER") (auth ? checkAuthFooter : checkFooter)(raw);
    else checkButtons(raw);
    components.push({ ...raw, type });
  }
  if (!seen.has("BODY")) throw graphError(SUBCODE.components, "Body missing", "The template needs exactly one BODY component.");
  return components;
}
