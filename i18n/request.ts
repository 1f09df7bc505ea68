import { getRequestConfig } from "next-intl/server";
import { cookies, headers } from "next/headers";
import { LOCALE_COOKIE, chooseLocale, isLocale, type Locale } from "@/lib/i18n/locales";
import { catalogues } from "./catalogues";

// next-intl's request configuration (docs/i18n.md §3). The client pages pass the locale they chose explicitly
// (`getTranslations({ locale })`), since it depends on the page's hub, invite or sign-up; the cookie and the
// browser's Accept-Language are only the fallback for a call without one. Only the chosen locale's catalogue is
// loaded, and it stays on the server: client components get finished strings as props.

export default getRequestConfig(async ({ locale: explicit }) => {
  let locale: Locale;
  if (isLocale(explicit)) locale = explicit;
  else {
    const [cookieStore, requestHeaders] = await Promise.all([cookies(), headers()]);
    locale = chooseLocale({ cookie: cookieStore.get(LOCALE_COOKIE)?.value, acceptLanguage: requestHeaders.get("accept-language") });
  }
  return {
    locale,
    messages: (await catalogues[locale]()).default,
    // Every time a client page shows is UTC and says so (lib/dates.ts).
    timeZone: "UTC",
  };
});
