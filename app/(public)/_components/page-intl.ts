import "server-only";
import { getTranslations } from "next-intl/server";
import { cookies, headers } from "next/headers";
import { LOCALE_COOKIE, chooseLocale, type LocaleInputs, type Locale } from "@/lib/i18n/locales";
import type { T } from "./intl-strings";

export { connectStrings, errorStrings, langHrefs, type T } from "./intl-strings";

// The client pages' language (docs/i18n.md §2) and the finished strings their client components get as props
// (§3): the catalogues stay on the server, so the browser loads no i18n library and no message it does not show.
// The App Router pages' side; what needs no request (the strings) is in intl-strings.ts, shared with pages/.

/** The visitor's locale: the page's own inputs plus the remembered choice and the browser's Accept-Language. */
export async function requestLocale(inputs: Omit<LocaleInputs, "cookie" | "acceptLanguage"> = {}): Promise<Locale> {
  const [cookieStore, requestHeaders] = await Promise.all([cookies(), headers()]);
  return chooseLocale({ ...inputs, cookie: cookieStore.get(LOCALE_COOKIE)?.value, acceptLanguage: requestHeaders.get("accept-language") });
}

export function translations(locale: Locale): Promise<T> {
  return getTranslations({ locale });
}
