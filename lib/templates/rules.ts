// WhatsApp's limits for message templates, and the linter's rule table. Pure: shared by browser and server.
//
// Sources, cited per rule below:
//   [META-C]  Meta, "Template components" (WhatsApp Business Management API):
//             https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/components
//   [META-A]  Meta, "Authentication templates":
//             https://developers.facebook.com/docs/whatsapp/business-management-api/authentication-templates
//   [META-G]  Meta, "Template review / common rejection reasons" (variables, URL shorteners, category guidance):
//             https://developers.facebook.com/docs/whatsapp/message-templates/guidelines
//   [META-CAT] Meta, "Template categorization" (promotional content in UTILITY is re-categorised or rejected):
//             https://developers.facebook.com/docs/whatsapp/updates-to-pricing/new-template-guidelines
//   [360]     360dialog, "Template elements" and "Create and manage template messages" (docs/hub-contract.md §6):
//             https://docs.360dialog.com/docs/waba-basics/templates/template-elements
//   [SBX]     our sandbox's server check, sandbox/template-rules.ts (the linter must be at least as strict).
//   [PORTAL]  a portal choice where no public rule exists; always a warning, never an error.
// Meta's pages could not be fetched while writing this; the limits were cross-checked against 360dialog's
// "Template elements" page and providers that restate Meta's rules (Gupshup "Template button list", Twilio
// "Using variables with Content Templates", Bird "Text templates").

export const NAME_MAX = 512; // [360] [META-C]
export const NAME_PATTERN = /^[a-z0-9_]+$/; // [360] UI rule
export const LANGUAGE_PATTERN = /^[a-z]{2,3}(_[A-Z]{2})?$/; // [SBX], matches Meta's locale codes (en, en_US, pt_BR)
export const HEADER_TEXT_MAX = 60; // [META-C] [360]
export const HEADER_VARIABLES_MAX = 1; // [META-C] [360]
export const BODY_MAX = 1024; // [META-C] [360]
export const FOOTER_MAX = 60; // [META-C]
export const BUTTONS_MAX = 10; // [META-C]
export const URL_BUTTONS_MAX = 2; // [META-C]
export const PHONE_BUTTONS_MAX = 1; // [META-C]
export const BUTTON_TEXT_MAX = 25; // [META-C]
/** [PORTAL] Meta publishes no limit for a named parameter's length; this only stops absurd names. */
export const PARAM_NAME_MAX = 60;
export const CODE_EXPIRATION_MIN = 1; // [META-A]
export const CODE_EXPIRATION_MAX = 90; // [META-A]
/** [PORTAL] Meta rejects "too many variables for its length" without a published ratio; this is our threshold. */
export const MIN_WORDS_PER_VARIABLE = 3;
/** [PORTAL] A body needs this many letters before "all capitals" means shouting rather than an acronym. */
export const ALL_CAPS_MIN_LETTERS = 12;
/** E.164: `+`, then 8–15 digits without a leading zero. [META-C] phone_number, E.164 */
export const PHONE_PATTERN = /^\+[1-9]\d{7,14}$/;

/** [META-CAT] English and German wording Meta treats as promotional; matched as whole words, case-insensitively. */
export const PROMOTIONAL_WORDS = [
  "offer", "offers", "sale", "discount", "discounts", "% off", "deal", "deals", "coupon", "coupons", "promo",
  "promotion", "free", "buy now", "limited time", "shop now", "shop", "black friday", "cyber monday", "bargain",
  "special price",
  "angebot", "angebote", "rabatt", "rabatte", "gratis", "kostenlos", "gutschein", "gutscheine", "aktion",
  "reduziert", "jetzt kaufen", "sonderangebot", "schnäppchen",
] as const;

/** [META-G] Link shorteners hide the destination; Meta asks for the business's full domain. */
export const URL_SHORTENERS = [
  "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly", "shorturl.at",
  "t.ly", "tiny.cc", "rb.gy", "s.id", "lnkd.in",
] as const;

export type FindingSeverity = "error" | "warning";
export type RuleSpec = { field: string; severity: FindingSeverity; source: string };

/** Every rule the linter reports: stable id → where it is shown, how bad it is, where it comes from. */
export const RULES = {
  "name-required": { field: "name", severity: "error", source: "[360] name is required" },
  "name-charset": { field: "name", severity: "error", source: "[360] lowercase letters, digits and _ only" },
  "name-length": { field: "name", severity: "error", source: "[360] ≤ 512 characters" },
  "language-format": { field: "language", severity: "error", source: "[SBX] [META-C] locale code" },
  "category-invalid": { field: "category", severity: "error", source: "[360] AUTHENTICATION | MARKETING | UTILITY" },
  "header-format": { field: "header.format", severity: "error", source: "[META-C] TEXT/IMAGE/VIDEO/GIF/DOCUMENT/LOCATION" },
  "header-text-required": { field: "header.text", severity: "error", source: "[SBX] a text header needs text" },
  "header-length": { field: "header.text", severity: "error", source: "[META-C] ≤ 60 characters" },
  "header-variables": { field: "header.text", severity: "error", source: "[META-C] at most one variable, {{1}}" },
  "header-newline": { field: "header.text", severity: "error", source: "[SBX] [META-C] no new lines" },
  "header-formatting": { field: "header.text", severity: "error", source: "[SBX] no * (and [META-C] no formatting)" },
  "header-emoji": { field: "header.text", severity: "warning", source: "[META-C] emojis not supported in headers" },
  "placeholder-malformed": { field: "body | header.text | buttons.<i>.url", severity: "error", source: "[META-G] mismatched curly braces; format is {{1}} or {{name}} (lowercase, digits, _)" },
  "example-missing": { field: "header.example | bodyExamples.<i> | buttons.<i>.example", severity: "error", source: "[360] [META-C] samples required for variables and media" },
  "example-format": { field: "bodyExamples.<i>", severity: "warning", source: "[META-C] parameter values can't hold new lines, tabs or > 4 spaces (error 132018 at send time)" },
  "body-required": { field: "body", severity: "error", source: "[META-C] [SBX] BODY is required" },
  "body-length": { field: "body", severity: "error", source: "[META-C] [360] ≤ 1024 characters" },
  "variables-sequential": { field: "body", severity: "error", source: "[META-G] [SBX] {{1}}…{{n}} without gaps" },
  "variables-mixed": { field: "body | header.text", severity: "error", source: "[META-C] one parameter_format per template: POSITIONAL {{1}} or NAMED {{name}} (docs/templates-meta.md §3)" },
  "param-name-length": { field: "body | header.text", severity: "error", source: "[PORTAL] named parameter ≤ 60 characters" },
  "gif-header-category": { field: "header.format", severity: "warning", source: "[META-C] GIF headers for MARKETING templates (docs/templates-meta.md §3)" },
  "variables-order": { field: "body", severity: "warning", source: "[PORTAL] first uses out of order; Meta's stance unpublished" },
  "variable-repeated": { field: "body", severity: "warning", source: "[PORTAL] repeats accepted by [SBX]; Meta's stance unpublished" },
  "variable-at-start": { field: "body", severity: "error", source: "[META-G] a parameter can't start the body" },
  "variable-at-end": { field: "body", severity: "error", source: "[META-G] a parameter can't end the body (warning when only . ! ? follows)" },
  "variables-adjacent": { field: "body", severity: "warning", source: "[META-G] parameters need text between them" },
  "too-many-variables": { field: "body", severity: "warning", source: "[META-G] too many variables for its length (ratio: [PORTAL])" },
  "body-all-caps": { field: "body", severity: "warning", source: "[PORTAL] shouting lowers quality ratings" },
  "promotional-under-utility": { field: "header.text | body | footer", severity: "warning", source: "[META-CAT]" },
  "url-shortener": { field: "body | buttons.<i>.url", severity: "warning", source: "[META-G]" },
  "footer-length": { field: "footer", severity: "error", source: "[META-C] ≤ 60 characters" },
  "footer-variables": { field: "footer", severity: "error", source: "[META-C] [SBX] no variables in the footer" },
  "button-count": { field: "buttons", severity: "error", source: "[META-C] ≤ 10 buttons, ≤ 2 URL, ≤ 1 phone number" },
  "button-mix": { field: "buttons", severity: "error", source: "[META-C] quick replies grouped before or after the others" },
  "button-text-required": { field: "buttons.<i>.text", severity: "error", source: "[META-C] [SBX]" },
  "button-text-length": { field: "buttons.<i>.text", severity: "error", source: "[META-C] ≤ 25 characters" },
  "button-text-variables": { field: "buttons.<i>.text", severity: "error", source: "[META-C] only URL buttons take a variable" },
  "url-format": { field: "buttons.<i>.url", severity: "error", source: "[META-C] an http(s) URL" },
  "url-variable": { field: "buttons.<i>.url", severity: "error", source: "[META-C] one variable {{1}}, at the end" },
  "url-example-mismatch": { field: "buttons.<i>.example", severity: "warning", source: "[META-C] the sample is the full URL" },
  "phone-format": { field: "buttons.<i>.phoneNumber", severity: "error", source: "[META-C] E.164" },
  "otp-outside-authentication": { field: "buttons", severity: "error", source: "[META-C] [META-A] OTP buttons only in AUTHENTICATION" },
  "otp-one-tap-unsupported": { field: "buttons", severity: "error", source: "[META-A] one-tap needs package_name and signature_hash, which the draft lacks" },
  "auth-buttons": { field: "buttons", severity: "error", source: "[META-A] exactly one OTP button and nothing else" },
  "auth-header": { field: "header.format", severity: "error", source: "[META-A] no header" },
  "auth-body-text": { field: "body", severity: "error", source: "[META-A] Meta fixes the body text" },
  "auth-footer-text": { field: "footer", severity: "error", source: "[META-A] the footer is the code expiry only" },
  "code-expiration": { field: "codeExpirationMinutes", severity: "error", source: "[META-A] 1–90 minutes" },
} as const satisfies Record<string, RuleSpec>;

export type RuleId = keyof typeof RULES;
