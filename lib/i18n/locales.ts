// The languages of the client-facing pages (docs/i18n.md §1) and how one is chosen for a visitor (§2). Pure and
// client-safe: no server import, so the language switcher and the tests use the same rules as the pages.

export const LOCALES = ["en", "de", "es", "pt-BR"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

/** Each language named in itself, as a switcher shows it. */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", de: "Deutsch", es: "Español", "pt-BR": "Português (Brasil)" };

/** The tag dates and numbers are formatted with: English keeps the portal's British order (lib/dates.ts). */
export const INTL_LOCALES: Record<Locale, string> = { en: "en-GB", de: "de-DE", es: "es", "pt-BR": "pt-BR" };

/** The cookie that remembers a visitor's explicit choice (docs/i18n.md §2). */
export const LOCALE_COOKIE = "NEXT_LOCALE";
export const LOCALE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60;

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/**
 * The supported locale closest to one BCP 47 tag: the same tag (any case, `_` or `-`), else the same language
 * (`es-MX` → `es`, `de-AT` → `de`, `pt-PT` → `pt-BR`, the only Portuguese there is). Null when none shares it.
 */
export function closestLocale(tag: string): Locale | null {
  const wanted = tag.trim().replace(/_/g, "-").toLowerCase();
  if (!/^[a-z]{2,3}(-[a-z0-9]{1,8})*$/.test(wanted)) return null;
  const exact = LOCALES.find((l) => l.toLowerCase() === wanted);
  if (exact) return exact;
  const language = wanted.split("-")[0];
  return LOCALES.find((l) => l.toLowerCase().split("-")[0] === language) ?? null;
}

/** The best supported locale of an `Accept-Language` header: by q (then order), each entry matched by closestLocale. */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale | null {
  const ranked = (header ?? "")
    .split(",")
    .slice(0, 20)
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0 && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const entry of ranked) {
    const locale = closestLocale(entry.tag);
    if (locale) return locale;
  }
  return null;
}

export type LocaleInputs = {
  /** `?lang=` of this page view: an explicit choice (the switcher's links carry it). */
  query?: unknown;
  /** The remembered choice (LOCALE_COOKIE). */
  cookie?: string | null;
  /** What the partner's staff chose for this client (an invite's language), or the language a sign-up used. */
  preferred?: string | null;
  acceptLanguage?: string | null;
  /** The hub's default language (its onboarding settings). */
  partnerDefault?: string | null;
};

/**
 * docs/i18n.md §2: explicit choice (this view's `?lang=`, else the cookie) > the client's own language as staff
 * or the sign-up recorded it > the browser's Accept-Language > the partner's default > English. Values that are
 * not a supported locale are skipped, never trusted.
 */
export function chooseLocale(inputs: LocaleInputs): Locale {
  const query = typeof inputs.query === "string" ? closestLocale(inputs.query) : null;
  return (
    query ??
    (inputs.cookie ? closestLocale(inputs.cookie) : null) ??
    (inputs.preferred ? closestLocale(inputs.preferred) : null) ??
    localeFromAcceptLanguage(inputs.acceptLanguage) ??
    (inputs.partnerDefault ? closestLocale(inputs.partnerDefault) : null) ??
    DEFAULT_LOCALE
  );
}
