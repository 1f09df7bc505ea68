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
const minuteDe = utc("de-DE", { dateStyle: "medium", timeStyle: "short" });

/** "3 Dec 2026" */
export const formatDay = (at: Date): string => day.format(at);
/** "3 Dec 2026, 00:14" */
export const formatMinute = (at: Date): string => minute.format(at);
/** "3 Dec 2026, 00:14:05": where events a second apart must read apart (audit, webhooks, histories). */
export const formatSecond = (at: Date): string => second.format(at);
/** formatMinute in the client's language on the public pages ("03.12.2026, 00:14" in German). */
export const formatMinuteIn = (lang: "en" | "de", at: Date): string => (lang === "de" ? minuteDe : minute).format(at);
