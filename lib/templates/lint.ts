import { isRecord } from "../hub/json";
import { hasPositional, malformedPlaceholders, namedVariablesIn, placeholderTokens, variablesIn } from "./components";
import { TEMPLATE_CATEGORIES, type ButtonDraft, type TemplateDraft } from "./draft";
import * as R from "./rules";
import type { FindingSeverity, RuleId } from "./rules";

// The template linter: every problem at once (never stops at the first), each finding independent, so the
// editor can show all of them beside their inputs as the user types. Pure and total: never throws.

export type { FindingSeverity } from "./rules";
export type Finding = { field: string; rule: string; severity: FindingSeverity; message: string };
type Emit = (rule: RuleId, field: string, message: string, severity?: FindingSeverity) => void;

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === "error");
}

/** The findings for `field` or any field below it ("buttons" matches "buttons.0.text"). */
export function findingsFor(findings: readonly Finding[], field: string): Finding[] {
  return findings.filter((f) => f.field === field || f.field.startsWith(`${field}.`));
}

const num = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const plural = (n: number, one: string, many = `${one}s`): string => `${num(n)} ${n === 1 ? one : many}`;
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const quoteList = (items: readonly string[]): string => items.slice(0, 3).map((s) => `"${s.slice(0, 20)}"`).join(", ");
const varList = (ns: readonly number[]): string => ns.map((n) => `{{${n}}}`).join(", ");
const withoutPlaceholders = (text: string): string => text.replace(/\{+[^{}\n]*\}+/g, " ");

const wordPattern = (words: readonly string[]): RegExp => {
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ /g, "\\s+"));
  return new RegExp(`(?<![\\p{L}\\p{N}.])(${escaped.join("|")})(?![\\p{L}\\p{N}])`, "iu");
};
const PROMOTIONAL = wordPattern(R.PROMOTIONAL_WORDS.filter((w) => !w.startsWith("%")));
const PERCENT_OFF = /\d\s*%\s*off\b/i;
const SHORTENER = wordPattern(R.URL_SHORTENERS);
const EMOJI = /\p{Extended_Pictographic}/u;

function tooLong(emit: Emit, rule: RuleId, field: string, what: string, length: number, max: number): void {
  if (length > max) {
    emit(rule, field, `${what} has ${plural(length, "character")}; WhatsApp allows ${num(max)}. Shorten it by ${num(length - max)}.`);
  }
}

function lintName(d: TemplateDraft, emit: Emit): void {
  if (d.name === "") return emit("name-required", "name", "Give the template a name, e.g. order_update.");
  if (!R.NAME_PATTERN.test(d.name)) {
    emit("name-charset", "name", "The name may contain only lowercase letters a–z, digits and underscores (e.g. order_update).");
  }
  tooLong(emit, "name-length", "name", "The name", d.name.length, R.NAME_MAX);
}

function lintPlaceholders(emit: Emit, field: string, what: string, text: string): void {
  const bad = malformedPlaceholders(text);
  if (bad.length > 0) {
    emit("placeholder-malformed", field, `${what} has ${quoteList(bad)}, which WhatsApp can't read as a variable; write variables exactly as {{1}}, {{2}}, … or as {{name}} in lowercase letters, digits and _ (e.g. {{customer_name}}).`);
  }
}

function lintHeader(d: TemplateDraft, emit: Emit): void {
  const h = d.header;
  if (h.format === "NONE" || h.format === "LOCATION") return;
  if (h.format === "GIF" && d.category !== "MARKETING") {
    emit("gif-header-category", "header.format", "GIF headers are for MARKETING templates only; choose another header or the MARKETING category.");
  }
  if (h.format === "IMAGE" || h.format === "VIDEO" || h.format === "GIF" || h.format === "DOCUMENT") {
    if (str(h.example).trim() === "") {
      emit("example-missing", "header.example", `A ${h.format.toLowerCase()} header needs a sample: upload one or give its URL, so WhatsApp can review the template.`);
    }
    return;
  }
  if (h.format !== "TEXT") return emit("header-format", "header.format", "Choose a header type: none, text, image, video, GIF, document or location.");
  const text = str(h.text);
  if (text.trim() === "") return emit("header-text-required", "header.text", "Write the header text, or choose no header.");
  tooLong(emit, "header-length", "header.text", "The header", text.length, R.HEADER_TEXT_MAX);
  lintPlaceholders(emit, "header.text", "The header", text);
  const vars = variablesIn(text);
  if (vars.length > R.HEADER_VARIABLES_MAX || vars.some((n) => n !== 1)) {
    emit("header-variables", "header.text", `The header has ${varList(vars)}; a header can have one variable only, and it must be {{1}}.`);
  }
  if (/[\r\n]/.test(text)) emit("header-newline", "header.text", "The header must be a single line; remove the line breaks.");
  if (/[*_~]/.test(withoutPlaceholders(text))) emit("header-formatting", "header.text", "The header can't use formatting; remove the *, _ and ~ characters.");
  if (EMOJI.test(text)) emit("header-emoji", "header.text", "WhatsApp doesn't support emojis in headers; remove them or move them to the body.");
  if (vars.includes(1) && str(h.example).trim() === "") {
    emit("example-missing", "header.example", "The header uses {{1}}; give a sample value for it so WhatsApp can review the template.");
  }
}

function lintVariables(d: TemplateDraft, emit: Emit): void {
  const body = d.body;
  const tokens = placeholderTokens(body);
  const vars = tokens.flatMap((t) => (t.variable === undefined ? [] : [t.variable]));
  const firstSeen = [...new Set(vars)];
  const unique = [...firstSeen].sort((a, b) => a - b);
  if (unique.some((n, i) => n !== i + 1)) {
    emit("variables-sequential", "body", `The body uses ${varList(unique)}; number the variables {{1}} to {{${unique.length}}} without gaps.`);
  } else if (firstSeen.some((n, i) => n !== i + 1)) {
    emit("variables-order", "body", `The variables first appear as ${varList(firstSeen)}; number them in the order they appear ({{1}} first).`);
  }
  const names = namedVariablesIn(body);
  // A named variable's slot is its name: using it twice is one parameter, not a repeat.
  const repeated = names.length > 0 ? [] : unique.filter((n) => vars.indexOf(n) !== vars.lastIndexOf(n));
  if (repeated.length > 0) {
    emit("variable-repeated", "body", `${varList(repeated)} appears more than once; WhatsApp may reject this, so consider a new variable for each place.`);
  }
  const first = tokens[0];
  if (first?.variable !== undefined && body.slice(0, first.index).trim() === "") {
    emit("variable-at-start", "body", `The body starts with ${first.raw}; WhatsApp rejects a variable at the very start. Put some text before it.`);
  }
  const last = tokens.at(-1);
  if (last?.variable !== undefined) {
    const after = body.slice(last.index + last.raw.length).trim();
    const message = `The body ends with ${last.raw}; WhatsApp rejects a variable at the very end. Put some text after it.`;
    if (after === "") emit("variable-at-end", "body", message);
    else if (/^[.!?]+$/.test(after)) emit("variable-at-end", "body", message, "warning");
  }
  const adjacent = tokens.findIndex((t, i) => {
    const next = tokens[i + 1];
    return t.variable !== undefined && next?.variable !== undefined && body.slice(t.index + t.raw.length, next.index).trim() === "";
  });
  if (adjacent >= 0) {
    emit("variables-adjacent", "body", "Two variables stand next to each other; WhatsApp rejects this, so put some words between them.");
  }
  const words = withoutPlaceholders(body).split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  if (unique.length > 0 && words < unique.length * R.MIN_WORDS_PER_VARIABLE) {
    emit(
      "too-many-variables",
      "body",
      `The body has ${plural(unique.length, "variable")} but only ${plural(words, "word")} of fixed text; WhatsApp rejects templates with too many variables for their length. Add text (about ${R.MIN_WORDS_PER_VARIABLE} words per variable) or remove variables.`,
    );
  }
  const examples = Array.isArray(d.bodyExamples) ? d.bodyExamples : [];
  // Samples beyond the variables are ignored (toComponents drops them): the editor keeps them while the
  // user edits the body, and flagging them would block on something the user no longer sees.
  for (const n of unique.filter((n) => n >= 1)) {
    const sample = str(examples[n - 1]);
    const label = names.length > 0 && hasPositional(body) === false ? `{{${names[n - 1] ?? n}}}` : `{{${n}}}`;
    if (sample.trim() === "") {
      emit("example-missing", `bodyExamples.${n - 1}`, `Give a sample value for ${label} so WhatsApp can review the template.`);
    } else if (/[\n\t]| {5}/.test(sample)) {
      emit("example-format", `bodyExamples.${n - 1}`, `The sample for ${label} has a line break, tab or a run of spaces; WhatsApp refuses such values when sending.`);
    }
  }
}

/** Meta takes one parameter format per template (docs/templates-meta.md §3): all `{{1}}` or all `{{name}}`. */
function lintParameterFormat(d: TemplateDraft, emit: Emit): void {
  const header = d.header.format === "TEXT" ? str(d.header.text) : "";
  const named = namedVariablesIn(d.body).length + namedVariablesIn(header).length > 0;
  const positional = hasPositional(d.body) || hasPositional(header);
  if (named && positional) {
    const field = hasPositional(d.body) && namedVariablesIn(d.body).length > 0 ? "body" : namedVariablesIn(header).length > 0 || hasPositional(header) ? "header.text" : "body";
    emit("variables-mixed", field, "Use one kind of variable in the whole template: either numbers ({{1}}, {{2}}) or names ({{customer_name}}), not both.");
  }
  for (const name of [...namedVariablesIn(header), ...namedVariablesIn(d.body)]) {
    if (name.length > R.PARAM_NAME_MAX) {
      emit("param-name-length", namedVariablesIn(header).includes(name) ? "header.text" : "body", `The variable name "${name.slice(0, 20)}…" is longer than ${R.PARAM_NAME_MAX} characters.`);
    }
  }
}

function lintBody(d: TemplateDraft, emit: Emit): void {
  if (d.body.trim() === "") return emit("body-required", "body", "Write the message body; it is the only part every template needs.");
  tooLong(emit, "body-length", "body", "The body", d.body.length, R.BODY_MAX);
  lintPlaceholders(emit, "body", "The body", d.body);
  lintVariables(d, emit);
  const letters = withoutPlaceholders(d.body);
  if ((letters.match(/\p{Lu}/gu)?.length ?? 0) >= R.ALL_CAPS_MIN_LETTERS && !/\p{Ll}/u.test(letters)) {
    emit("body-all-caps", "body", "The body is written in capital letters only; write it in normal case so it doesn't read as shouting.");
  }
}

function lintFooter(d: TemplateDraft, emit: Emit): void {
  tooLong(emit, "footer-length", "footer", "The footer", d.footer.length, R.FOOTER_MAX);
  if (variablesIn(d.footer).length + malformedPlaceholders(d.footer).length > 0) {
    emit("footer-variables", "footer", "The footer can't contain variables; write it as fixed text.");
  }
}

function lintAuthentication(d: TemplateDraft, emit: Emit): void {
  if (d.header.format !== "NONE") emit("auth-header", "header.format", "Authentication templates can't have a header; choose no header.");
  if (d.body.trim() !== "") {
    emit("auth-body-text", "body", 'Authentication templates use WhatsApp\'s fixed text ("<code> is your verification code."); clear the body.');
  }
  if (d.footer.trim() !== "") {
    emit("auth-footer-text", "footer", "Authentication templates can't have a footer text; set the code expiry instead, which WhatsApp shows as the footer.");
  }
  const minutes = d.codeExpirationMinutes;
  if (minutes !== null && !(Number.isInteger(minutes) && minutes >= R.CODE_EXPIRATION_MIN && minutes <= R.CODE_EXPIRATION_MAX)) {
    emit("code-expiration", "codeExpirationMinutes", `The code expiry must be a whole number of minutes from ${R.CODE_EXPIRATION_MIN} to ${R.CODE_EXPIRATION_MAX}.`);
  }
  const otp = d.buttons.filter((b) => b.type === "OTP").length;
  if (otp !== 1 || d.buttons.length !== 1) {
    emit("auth-buttons", "buttons", `Authentication templates need exactly one copy-code button and no other buttons (this one has ${plural(d.buttons.length, "button")}).`);
  }
}

function lintUrlButton(b: Extract<ButtonDraft, { type: "URL" }>, at: string, emit: Emit): void {
  const url = str(b.url);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.hostname === "" || /\s/.test(url)) {
    emit("url-format", `${at}.url`, "Enter a full web address starting with https:// (or http://).");
  }
  const vars = variablesIn(url);
  if (malformedPlaceholders(url).length > 0 || vars.length > 1 || vars.some((n) => n !== 1) || (vars.length === 1 && !url.endsWith("{{1}}"))) {
    emit("url-variable", `${at}.url`, "A button URL can have one variable only, {{1}}, at its very end (e.g. https://example.com/track/{{1}}).");
  }
  if (SHORTENER.test(url)) emit("url-shortener", `${at}.url`, "Use your own full domain instead of a link shortener; WhatsApp rejects shortened links.");
  if (vars.length === 0) return;
  const example = str(b.example).trim();
  if (example === "") {
    emit("example-missing", `${at}.example`, "The URL ends in {{1}}; give a full sample URL (e.g. https://example.com/track/AB123) so WhatsApp can review it.");
  } else if (!example.startsWith(url.slice(0, url.indexOf("{{"))) || !/^https?:\/\/\S+$/.test(example)) {
    emit("url-example-mismatch", `${at}.example`, "The sample should be the full URL: the button's address with {{1}} replaced by a sample value.");
  }
}

function lintButtons(d: TemplateDraft, emit: Emit): void {
  const buttons = d.buttons;
  const count = (type: string) => buttons.filter((b) => b.type === type).length;
  if (buttons.length > R.BUTTONS_MAX) {
    emit("button-count", "buttons", `The template has ${num(buttons.length)} buttons; WhatsApp allows ${R.BUTTONS_MAX}. Remove ${num(buttons.length - R.BUTTONS_MAX)}.`);
  }
  if (count("URL") > R.URL_BUTTONS_MAX) {
    emit("button-count", "buttons", `The template has ${num(count("URL"))} website buttons; WhatsApp allows ${R.URL_BUTTONS_MAX}. Remove ${num(count("URL") - R.URL_BUTTONS_MAX)}.`);
  }
  if (count("PHONE_NUMBER") > R.PHONE_BUTTONS_MAX) {
    emit("button-count", "buttons", `The template has ${num(count("PHONE_NUMBER"))} call buttons; WhatsApp allows ${R.PHONE_BUTTONS_MAX}. Keep one.`);
  }
  const groups = buttons.map((b) => b.type === "QUICK_REPLY").filter((qr, i, all) => i === 0 || qr !== all[i - 1]).length;
  if (groups > 2) {
    emit("button-mix", "buttons", "Group the quick-reply buttons together, all before or all after the website and call buttons.");
  }
  if (d.category !== "AUTHENTICATION" && count("OTP") > 0) {
    emit("otp-outside-authentication", "buttons", "Copy-code (OTP) buttons are only for AUTHENTICATION templates; remove it or change the category.");
  }
  if (buttons.some((b) => b.type === "OTP" && b.otpType === "ONE_TAP")) {
    emit("otp-one-tap-unsupported", "buttons", "One-tap autofill needs your Android app's package name and signature hash, which the portal can't send yet; use a copy-code button.");
  }
  buttons.forEach((b, i) => {
    const at = `buttons.${i}`;
    const text = str(b.text);
    if (b.type === "KEPT") return; // read-only: checked by Meta when it was made, sent back unchanged
    if (b.type !== "OTP" && text.trim() === "") emit("button-text-required", `${at}.text`, `Write the label of button ${i + 1}.`);
    tooLong(emit, "button-text-length", `${at}.text`, `The label of button ${i + 1}`, text.length, R.BUTTON_TEXT_MAX);
    if (variablesIn(text).length + malformedPlaceholders(text).length > 0) {
      emit("button-text-variables", `${at}.text`, `Button labels can't contain variables; write the label of button ${i + 1} as fixed text.`);
    }
    if (b.type === "URL") lintUrlButton(b, at, emit);
    if (b.type === "PHONE_NUMBER" && !R.PHONE_PATTERN.test(str(b.phoneNumber))) {
      emit("phone-format", `${at}.phoneNumber`, "Write the phone number in international format: + and 8 to 15 digits, no spaces (e.g. +4930123456789).");
    }
  });
}

function lintWording(d: TemplateDraft, emit: Emit): void {
  const texts: [string, string][] = [["body", d.body], ["footer", d.footer]];
  if (d.header.format === "TEXT") texts.unshift(["header.text", str(d.header.text)]);
  if (d.category === "UTILITY") {
    for (const [field, text] of texts) {
      const word = PROMOTIONAL.exec(text)?.[0] ?? PERCENT_OFF.exec(text)?.[0];
      if (word !== undefined) {
        emit(
          "promotional-under-utility",
          field,
          `"${word}" reads as promotional; WhatsApp may re-categorise or reject a UTILITY template with it. Choose MARKETING or reword it.`,
        );
      }
    }
  }
  if (SHORTENER.test(d.body)) emit("url-shortener", "body", "Use your own full domain instead of a link shortener; WhatsApp rejects shortened links.");
}

/** A structurally safe copy: the editor may hand over half-typed or hostile state. */
function sane(input: TemplateDraft): TemplateDraft {
  const d: Partial<Record<keyof TemplateDraft, unknown>> = isRecord(input) ? input : {};
  const header = isRecord(d.header) && typeof d.header.format === "string" ? (d.header as TemplateDraft["header"]) : { format: "NONE" as const };
  return {
    name: str(d.name),
    language: str(d.language),
    category: d.category as TemplateDraft["category"],
    allowCategoryChange: d.allowCategoryChange === true,
    header,
    body: str(d.body),
    bodyExamples: Array.isArray(d.bodyExamples) ? d.bodyExamples : [],
    footer: str(d.footer),
    buttons: Array.isArray(d.buttons) ? d.buttons.filter((b): b is ButtonDraft => isRecord(b) && typeof b.type === "string") : [],
    addSecurityRecommendation: d.addSecurityRecommendation === true,
    codeExpirationMinutes: typeof d.codeExpirationMinutes === "number" ? d.codeExpirationMinutes : null,
    keptComponents: Array.isArray(d.keptComponents) ? d.keptComponents.filter(isRecord) : [],
  };
}

export function lintTemplate(input: TemplateDraft): Finding[] {
  const findings: Finding[] = [];
  const emit: Emit = (rule, field, message, severity = R.RULES[rule].severity) => {
    findings.push({ field, rule, severity, message });
  };
  const d = sane(input);
  lintName(d, emit);
  if (!R.LANGUAGE_PATTERN.test(d.language)) {
    emit("language-format", "language", "Choose the language as a code such as en, en_US, de or pt_BR.");
  }
  if (!TEMPLATE_CATEGORIES.includes(d.category)) emit("category-invalid", "category", "Choose a category: MARKETING, UTILITY or AUTHENTICATION.");
  if (d.category === "AUTHENTICATION") lintAuthentication(d, emit);
  else {
    lintHeader(d, emit);
    lintBody(d, emit);
    lintParameterFormat(d, emit);
    lintFooter(d, emit);
  }
  lintButtons(d, emit);
  lintWording(d, emit);
  return findings;
}
