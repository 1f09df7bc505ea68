import type { createTranslator } from "next-intl";
import type { Messages } from "@/i18n/catalogues";
import { LOCALES, type Locale } from "@/lib/i18n/locales";
import { CLIENT_ERROR_CODES, clientErrorKey } from "@/lib/onboarding/outcomes";
import type { ConnectStrings } from "./popup-window";

// The finished strings the client pages' scripts get (docs/i18n.md §3), made from a translator of any origin: the
// App Router pages' getTranslations (page-intl.ts) or the light pages' createTranslator (pages/, landing-light.tsx).
// Nothing here reads the request, so the Pages Router can use it too.

/** A translator of the whole catalogue (no namespace), as `getTranslations({ locale })` and `createTranslator` return it. */
export type T = ReturnType<typeof createTranslator<Messages, never>>;

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
