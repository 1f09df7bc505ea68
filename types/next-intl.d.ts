import type en from "../messages/en.json";
import type { Locale } from "../lib/i18n/locales";

// Typed message keys and locales for next-intl: a key missing from the English catalogue fails the type check
// (the other catalogues are held to the same keys by lib/i18n/catalogues.test.ts).
declare module "next-intl" {
  interface AppConfig {
    Locale: Locale;
    Messages: typeof en;
  }
}
