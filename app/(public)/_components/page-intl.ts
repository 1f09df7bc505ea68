import "server-only";
import { getTranslations } from "next-intl/server";
import { cookies, headers } from "next/headers";
import { LOCALES, LOCALE_COOKIE, chooseLocale, type LocaleInputs, type Locale } from "@/lib/i18n/locales";
import { CLIENT_ERROR_CODES, clientErrorKey } from "@/lib/onboarding/outcomes";
import type { ConnectStrings } from "./popup-window";

// The client pages' language (docs/i18n.md §2) and the finished strings their client components get as props
// (§3): the catalogues stay on the server, so the browser loads no i18n library and no message it does not show.

export type T = Awaited<ReturnType<typeof getTranslations>>;

/** The visitor's locale: the page's own inputs plus the remembered choice and the browser's Accept-Language. */
export async function requestLocale(inputs: Omit<LocaleInputs, "cookie" | "acceptLanguage"> = {}): Promise<Locale> {
  const [cookieStore, requestHeaders] = await Promise.all([cookies(), headers()]);
  return chooseLocale({ ...inputs, cookie: cookieStore.get(LOCALE_COOKIE)?.value, acceptLanguage: requestHeaders.get("accept-language") });
}

export function translations(locale: Locale): Promise<T> {
  return getTranslations({ locale });
}

/** The switcher's links: this page in each language (proxy.ts remembers the choice in LOCALE_COOKIE). */
export function langHrefs(path: string, extraQuery = ""): Record<Locale, string> {
  return Object.fromEntries(LOCALES.map((l) => [l, `${path}?lang=${encodeURIComponent(l)}${extraQuery}`])) as Record<Locale, string>;
}

/** The words of every refusal a client can meet, in this locale, by error code (what onboarding-api.ts shows). */
export function errorStrings(t: T): Record<string, string> {
  return Object.fromEntries(CLIENT_ERROR_CODES.map((code) => [code, t(clientErrorKey(code) as never)]));
}

export function connectStrings(t: T, action?: string): ConnectStrings {
  return {
    action: action ?? t("connect.action"),
    opening: t("connect.opening"),
    popupOpen: t("connect.popupOpen"),
    popupFocused: t("connect.popupFocused"),
    blocked: t("connect.blocked"),
    blockedLink: t("connect.blockedLink"),
    finishing: t("connect.finishing"),
    failed: t("connect.failed"),
    errors: errorStrings(t),
  };
}
