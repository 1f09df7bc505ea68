// What the webhook inbox shows of a stored body: secrets masked whole, phone numbers down to their last four
// digits (docs/security.md R20: no secret and no full phone number on a page). Display only; the stored row keeps the raw bytes.

export const REDACTED = "[redacted]";
const SECRET_KEY = /key|token|secret|password|signature/i;
// `phone_name` is the business's display name, not a number.
const PHONE_KEY = /(^|_|-)(phone|phone_?number|msisdn|wa_?id|number)$/i;
// An international number written inside any string: "+" then 7 to 15 digits, maybe spaced or dashed.
const EMBEDDED_PHONE = /\+\d(?:[\s().-]?\d){6,14}/g;
// Bare digit runs long enough to be a number, for text that is not JSON.
const BARE_PHONE = /\+?\d(?:[\s().-]?\d){6,14}/g;
const MAX_DEPTH = 64;

/** "+49 151 2345 6789" → "•••6789"; four digits or fewer are masked whole. */
export function maskPhoneNumber(value: string): string {
  const digits = value.replace(/\D/g, "");
  return digits.length <= 4 ? "••••" : `•••${digits.slice(-4)}`;
}

function redactString(value: string): string {
  return value.replace(EMBEDDED_PHONE, maskPhoneNumber);
}

function redactValue(value: unknown, key: string | null, depth: number): unknown {
  if (key !== null && SECRET_KEY.test(key)) return value === null || value === "" ? value : REDACTED;
  if (key !== null && PHONE_KEY.test(key) && (typeof value === "string" || typeof value === "number")) {
    return maskPhoneNumber(String(value));
  }
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, null, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k, depth + 1);
  return out;
}

/** A copy of a parsed webhook body fit for display; the input is left untouched. */
export function redactWebhookPayload(json: unknown): unknown {
  return redactValue(json, null, 0);
}

/** A stored raw body fit for display: redacted and pretty-printed JSON, or text with every long digit run masked. */
export function redactWebhookBody(rawBody: string): string {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return rawBody.replace(BARE_PHONE, maskPhoneNumber);
  }
  return JSON.stringify(redactWebhookPayload(json), null, 2);
}
