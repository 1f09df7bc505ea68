import type en from "../messages/en.json";
import type { Locale } from "@/lib/i18n/locales";

// Each locale's message catalogue, loaded on demand: by next-intl's request configuration (request.ts) for the App
// Router pages and by the light client pages of the Pages Router (pages/, docs/i18n.md §3), which cannot use it.

export type Messages = typeof en;

export const catalogues: Record<Locale, () => Promise<{ default: Messages }>> = {
  en: () => import("../messages/en.json"),
  de: () => import("../messages/de.json"),
  es: () => import("../messages/es.json"),
  "pt-BR": () => import("../messages/pt-BR.json"),
};
