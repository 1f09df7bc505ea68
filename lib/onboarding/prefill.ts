import { z } from "zod";
import { IO_NUMBER_PATTERN } from "../hub/io";
import { LOCALES } from "../i18n/locales";
import { REDIRECT_ID_PATTERN } from "../hub/redirect";

// What an onboarding may carry into 360dialog's pages: the API takes camelCase, the database stores the IO
// parameter names (docs/hub-contract.md §1.3), so a stored prefill maps one-to-one onto the IO query.

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
// Printable text only: these values end up in a URL and on 360dialog's forms.
const printable = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `At most ${max} characters.`)
    .regex(/^[^\p{Cc}\p{Cf}]*$/u, "Remove control characters.");

export const phoneNumberSchema = z
  .string()
  .transform((v) => v.replace(/[\s().-]/g, ""))
  .pipe(z.string().regex(IO_NUMBER_PATTERN, "Enter the number in international format, like +49 151 23456789."));

export const prefillSchema = z.object({
  email: optional(z.string().trim().max(320).pipe(z.email("Enter a valid email address."))),
  name: optional(printable(200)),
  number: optional(phoneNumberSchema),
  planSelection: optional(z.string().trim().regex(/^[a-z_]{1,32}$/, "Plans are lowercase words, like regular or premium.")),
  partnerPayload: optional(printable(200)),
  lang: optional(z.enum(LOCALES)),
  /** An existing 360dialog client (permission requests, Embedded Signup for a known client). */
  clientId: optional(z.string().trim().regex(REDIRECT_ID_PATTERN, "A 360dialog client ID is letters and digits.")),
});

export type PrefillInput = z.input<typeof prefillSchema>;
export type Prefill = z.output<typeof prefillSchema>;

/** Fields an anonymous visitor may fill in; plan, partner payload and client id come only from staff or an invite. */
export const PUBLIC_PREFILL_FIELDS = ["email", "name", "number", "lang"] as const satisfies readonly (keyof Prefill)[];

const STORED_KEYS = {
  email: "email",
  name: "name",
  number: "number",
  planSelection: "plan_selection",
  partnerPayload: "partner",
  lang: "lang",
  clientId: "client_id",
} as const satisfies Record<keyof Prefill, string>;

export function toStoredPrefill(prefill: Prefill): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, stored] of Object.entries(STORED_KEYS)) {
    const value = prefill[key as keyof Prefill];
    if (typeof value === "string" && value !== "") out[stored] = value;
  }
  return out;
}

/** Reads a stored prefill back; anything that no longer validates is dropped, not trusted. */
export function fromStoredPrefill(stored: Record<string, unknown> | null | undefined): Prefill {
  const camel: Record<string, unknown> = {};
  for (const [key, storedKey] of Object.entries(STORED_KEYS)) camel[key] = stored?.[storedKey];
  const out: Prefill = {};
  for (const [key, field] of Object.entries(prefillSchema.shape)) {
    const parsed = (field as z.ZodType).safeParse(camel[key]);
    if (parsed.success && parsed.data !== undefined) (out as Record<string, unknown>)[key] = parsed.data;
  }
  return out;
}

export function pickPublicPrefill(prefill: Prefill): Prefill {
  const out: Prefill = {};
  for (const key of PUBLIC_PREFILL_FIELDS) if (prefill[key] !== undefined) (out as Record<string, unknown>)[key] = prefill[key];
  return out;
}

const JOIN_PATH = /^\/join\/[A-Za-z0-9_-]{43}$/;

/**
 * The page hosting a Connect Button, which the package requires as the redirect target: `/` or `/join/<token>`
 * only, so no URL from input ever reaches `redirect_url` (docs/security.md R13). Null for anything else.
 */
export function safeReturnPath(value: unknown): "/" | `/join/${string}` | null {
  if (value === "/") return "/";
  return typeof value === "string" && JOIN_PATH.test(value) ? (value as `/join/${string}`) : null;
}
