// Integrated Onboarding entry URLs (docs/hub-contract.md §1). No secrets here: the IO Signature is made in
// io-signature.ts and passed in, so this module is safe to import anywhere.

export const IO_BASE_V1 = "https://hub.360dialog.com/dashboard/app";
export const IO_BASE_V2 = "https://app.360dialog.com/onboarding";
export const IO_BASE_LOCAL = "http://localhost:8082/dashboard/app";
export const IO_DEFAULT_BASES = { v1: IO_BASE_V1, v2: IO_BASE_V2 } as const;

export type IoVariant = keyof typeof IO_DEFAULT_BASES;

export const PARTNER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** The package appends `number` unencoded, so only values that need no encoding are let through. */
export const IO_NUMBER_PATTERN = /^\+?[0-9]{6,20}$/;

/** The timestamp must be the one that was signed, so the pair travels together or not at all. */
type IoSignatureParams =
  | { ioSignature: string; ioTimestamp: string }
  | { ioSignature?: undefined; ioTimestamp?: undefined };

export type IoQueryOptions = {
  /** Pre-requested phone number, digits with an optional leading `+`. */
  number?: string;
  email?: string;
  name?: string;
  state?: string;
  redirectUrl?: string;
  /** Sent as `partner` (the demo's "Partner Payload"). */
  partnerPayload?: string;
  next?: string;
  planSelection?: string;
  hostingType?: string;
  /** Only `true` is documented; `false` leaves the parameter out. */
  connectClientUser?: boolean;
  clientId?: string;
  flow?: string;
  preverifiedPhoneNumberId?: string;
  lang?: string;
} & IoSignatureParams;

export type IoUrlOptions = IoQueryOptions & {
  partnerId: string;
  /** Configured IO app base (e.g. a staging hub or the sandbox); wins over `variant`. */
  base?: string;
  /** Chooses the default base when none is configured; v1 when omitted. */
  variant?: IoVariant;
};

export type PermissionsUrlOptions = IoQueryOptions & { partnerId: string; base?: string };

/** Query order after `number`: fixed, so URLs are reproducible and testable. */
export const IO_QUERY_PARAMS = [
  ["email", "email"],
  ["name", "name"],
  ["state", "state"],
  ["redirectUrl", "redirect_url"],
  ["partnerPayload", "partner"],
  ["next", "next"],
  ["planSelection", "plan_selection"],
  ["hostingType", "hosting_type"],
  ["connectClientUser", "connect_client_user"],
  ["clientId", "client_id"],
  ["flow", "flow"],
  ["preverifiedPhoneNumberId", "preverified_phone_number_id"],
  ["lang", "lang"],
  ["ioSignature", "io_signature"],
  ["ioTimestamp", "io_timestamp"],
] as const satisfies readonly (readonly [keyof IoQueryOptions, string])[];

export type IoUrlErrorCode = "bad_base" | "bad_partner_id" | "bad_number" | "bad_value" | "bad_signature_pair";

/** Thrown for a configuration or caller mistake; the message names the parameter, never its value. */
export class IoUrlError extends Error {
  override readonly name = "IoUrlError";
  readonly code: IoUrlErrorCode;
  constructor(code: IoUrlErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function isIoNumber(value: unknown): value is string {
  return typeof value === "string" && IO_NUMBER_PATTERN.test(value);
}

function normaliseBase(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new IoUrlError("bad_base", "IO base must be an absolute http(s) URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new IoUrlError("bad_base", "IO base must use http or https");
  if (url.search || url.hash || url.username || url.password) {
    throw new IoUrlError("bad_base", "IO base must not carry a query, fragment or credentials");
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function encodeValue(value: string, param: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    throw new IoUrlError("bad_value", `IO parameter "${param}" is not a well-formed string`);
  }
}

// docs/hub-contract.md §1.2: `number` first and unencoded, then `&k=encodeURIComponent(v)`; an empty string gives `k=`.
function buildQuery(opts: IoQueryOptions): string {
  const parts: string[] = [];
  if (opts.number !== undefined) {
    if (!isIoNumber(opts.number)) throw new IoUrlError("bad_number", "IO parameter \"number\" must be 6-20 digits with an optional leading +");
    parts.push(`number=${opts.number}`);
  }
  if ((opts.ioSignature === undefined) !== (opts.ioTimestamp === undefined)) {
    throw new IoUrlError("bad_signature_pair", "io_signature and io_timestamp must be sent together");
  }
  for (const [key, param] of IO_QUERY_PARAMS) {
    const value: unknown = opts[key];
    if (value === undefined || value === null || value === false) continue;
    if (value === true) {
      parts.push(`${param}=true`);
      continue;
    }
    if (typeof value !== "string") throw new IoUrlError("bad_value", `IO parameter "${param}" must be a string`);
    parts.push(`${param}=${encodeValue(value, param)}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

function partnerPath(partnerId: string): string {
  if (typeof partnerId !== "string" || !PARTNER_ID_PATTERN.test(partnerId)) {
    throw new IoUrlError("bad_partner_id", "partner id must be 1-64 of A-Z a-z 0-9 _ -");
  }
  return `/${partnerId}`;
}

/** `<base>/<partnerId>?…`: the URL the Connect button opens (docs/hub-contract.md §1.1-1.3). */
export function buildIoUrl(opts: IoUrlOptions): string {
  const base = normaliseBase(opts.base ?? IO_DEFAULT_BASES[opts.variant ?? "v1"]);
  return base + partnerPath(opts.partnerId) + buildQuery(opts);
}

/** `<base>/<partnerId>/permissions?…`: the v1-style permission screen, also used to start IO (docs/hub-contract.md §1.1). */
export function buildPermissionsUrl(opts: PermissionsUrlOptions): string {
  const base = normaliseBase(opts.base ?? IO_BASE_V1);
  return `${base}${partnerPath(opts.partnerId)}/permissions${buildQuery(opts)}`;
}

// docs/i18n.md §5: `lang` is not in 360dialog's documentation; the Connect Button package typed it as
// `'de' | 'en' | 'pt'` (0.9.0) before dropping it from its types (1.0.x still appends whatever it is given). Which
// values the onboarding takes is therefore a per-hub setting, with these as the default.
export const IO_DEFAULT_LANGS = ["en", "de", "pt"] as const;

const IO_LANG = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/;

/** "en, de, pt" → ["en", "de", "pt"]; "" → [] (send no `lang`); null when an entry is not a language tag. */
export function parseIoLangs(value: string): string[] | null {
  const entries = value
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
  if (entries.length > 20 || entries.some((v) => !IO_LANG.test(v))) return null;
  return entries;
}

/**
 * The closest language the onboarding takes for a client's locale: the same tag (`pt-BR`, `pt_BR`), else the
 * same language (`pt-BR` → `pt`, `de` → `de`), else undefined, so no `lang` is sent and 360dialog chooses.
 */
export function closestIoLang(locale: string, accepted: readonly string[]): string | undefined {
  const norm = (tag: string) => tag.replace(/_/g, "-").toLowerCase();
  const wanted = norm(locale);
  const base = wanted.split("-")[0];
  return accepted.find((a) => norm(a) === wanted) ?? accepted.find((a) => norm(a) === base) ?? accepted.find((a) => norm(a).split("-")[0] === base);
}
