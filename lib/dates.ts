import { INTL_LOCALES, type Locale } from "./i18n/locales";

/** An optional timestamp string as a valid Date; absent, empty or unparseable values are undefined. */
export function dateOf(value: string | undefined): Date | undefined {
  const at = value ? new Date(value) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : undefined;
}

// Every date the portal shows is UTC in British medium style ("3 Dec 2026, 00:14"): staff in different zones
// read the same text, and pages say "UTC" beside it where the reader needs telling. One formatter per
// precision, built once, so no page picks its own style. Client components may import this module too.
const utc = (locale: string, options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" });

const day = utc("en-GB", { dateStyle: "medium" });
const minute = utc("en-GB", { dateStyle: "medium", timeStyle: "short" });
const second = utc("en-GB", { dateStyle: "medium", timeStyle: "medium" });

/** "3 Dec 2026" */
export const formatDay = (at: Date): string => day.format(at);
/** "3 Dec 2026, 00:14" */
export const formatMinute = (at: Date): string => minute.format(at);
/** "3 Dec 2026, 00:14:05": where events a second apart must read apart (audit, webhooks, histories). */
export const formatSecond = (at: Date): string => second.format(at);

// The client pages show dates in the visitor's language (docs/i18n.md §4); English keeps the portal's British order.
const minuteIn = Object.fromEntries(Object.entries(INTL_LOCALES).map(([l, tag]) => [l, utc(tag, { dateStyle: "medium", timeStyle: "short" })])) as Record<Locale, Intl.DateTimeFormat>;
const longDayIn = Object.fromEntries(Object.entries(INTL_LOCALES).map(([l, tag]) => [l, utc(tag, { day: "numeric", month: "long", year: "numeric" })])) as Record<Locale, Intl.DateTimeFormat>;

/** formatMinute in the client's language ("03.12.2026, 00:14" in German). */
export const formatMinuteIn = (locale: Locale, at: Date): string => minuteIn[locale].format(at);
/** A day written out in the client's language ("30 November 2026", "30 de noviembre de 2026"). */
export const formatLongDayIn = (locale: Locale, at: Date): string => longDayIn[locale].format(at);
