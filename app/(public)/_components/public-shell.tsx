import type { CSSProperties, ReactNode } from "react";
import { LOCALES, LOCALE_NAMES, type Locale } from "@/lib/i18n/locales";
import { NEUTRAL_BRAND, type Brand } from "@/lib/onboarding/light-data";

// The frame of every client-facing page: the partner's name, logo and accent colour (from its onboarding
// settings), a language switch, and the content marked with its language.

export { NEUTRAL_BRAND, type Brand };

/** Text colour that stays readable on the partner's accent (WCAG relative luminance). */
function textOn(hex: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return "#ffffff";
  const [r, g, b] = [m[1], m[2], m[3]].map((c) => {
    const v = parseInt(c ?? "0", 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Contrast against white vs. against near-black (#0f172a, luminance ≈ 0.009): pick the larger.
  return (1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.059 ? "#ffffff" : "#0f172a");
}

/** The one primary action of a page, in the partner's colour, with a focus ring that does not depend on it. */
export const primaryButtonClass =
  "inline-flex min-h-11 items-center justify-center rounded-lg bg-[var(--accent)] px-6 py-3 text-base font-semibold text-[var(--on-accent)] shadow-sm hover:brightness-95 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-slate-900 disabled:cursor-not-allowed disabled:opacity-60";

export const linkClass = "font-semibold text-slate-900 underline underline-offset-2 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-slate-900";

export function PublicShell({
  brand,
  lang,
  langHrefs,
  languageLabel,
  children,
  footer,
}: {
  brand: Brand;
  lang: Locale;
  /** Where each language's version of this page is; no switch when absent. */
  langHrefs?: Record<Locale, string>;
  languageLabel: string;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const style = { "--accent": brand.accentColor, "--on-accent": textOn(brand.accentColor) } as CSSProperties;
  return (
    <div style={style} className="min-h-screen border-t-8 border-[var(--accent)]">
      <header className="mx-auto flex max-w-3xl flex-wrap items-center justify-between gap-4 px-6 pt-8">
        <div className="flex items-center gap-3">
          {brand.logoUrl ? (
            // eslint-disable-next-line @next/next/no-img-element -- a partner's logo on any host; next/image would need each host configured
            <img src={brand.logoUrl} alt={brand.name} className="h-10 w-auto max-w-48 object-contain" referrerPolicy="no-referrer" />
          ) : null}
          {brand.name && !brand.logoUrl ? <span className="text-lg font-semibold text-slate-900">{brand.name}</span> : null}
        </div>
        {langHrefs ? (
          <nav aria-label={languageLabel} className="flex flex-wrap items-center gap-1 text-sm">
            {LOCALES.map((l) =>
              l === lang ? (
                <span key={l} aria-current="page" lang={l} className="rounded-md border border-slate-900 bg-white px-2.5 py-1 font-semibold text-slate-900">
                  {LOCALE_NAMES[l]}
                </span>
              ) : (
                // A full load, not a client transition: the page starts its session in the chosen language, and
                // proxy.ts remembers the choice for the next pages (docs/i18n.md §2).
                <a key={l} href={langHrefs[l]} hrefLang={l} lang={l} className="rounded-md px-2.5 py-1 text-slate-700 underline underline-offset-2 hover:text-slate-900 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-slate-900">
                  {LOCALE_NAMES[l]}
                </a>
              ),
            )}
          </nav>
        ) : null}
      </header>
      <main lang={lang} className="mx-auto max-w-3xl px-6 pb-16 pt-8">
        {children}
      </main>
      {footer ? <footer lang={lang} className="mx-auto max-w-3xl px-6 pb-10 text-sm text-slate-600">{footer}</footer> : null}
    </div>
  );
}
