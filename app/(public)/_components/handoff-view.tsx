import type { Locale } from "@/lib/i18n/locales";
import { errorStrings, translations } from "./page-intl";
import { NEUTRAL_BRAND, PublicShell } from "./public-shell";
import { RedirectHandoff } from "./redirect-handoff";

/**
 * A page that carries 360dialog's redirect query: no logo or other third-party resource may see it (docs/security.md R16).
 * `empty`: the page was opened without any redirect parameter, so there is nothing to hand over.
 */
export async function HandoffView({ locale, empty = false }: { locale: Locale; empty?: boolean }) {
  const t = await translations(locale);
  return (
    <PublicShell brand={NEUTRAL_BRAND} lang={locale} languageLabel={t("shell.languageLabel")}>
      <h1 className="mb-4 text-2xl font-semibold tracking-tight text-slate-900">{t("redirect.title")}</h1>
      {empty ? (
        <p role="status" className="text-slate-700">
          {t("redirect.nothing")}
        </p>
      ) : (
        <RedirectHandoff
          t={{
            working: t("redirect.working"),
            handedOver: t("redirect.handedOver"),
            errorTitle: t("redirect.errorTitle"),
            network: t("redirect.network"),
            retry: t("redirect.retry"),
            errors: errorStrings(t),
          }}
        />
      )}
    </PublicShell>
  );
}

export { isRedirectReturn } from "@/lib/onboarding/redirect-return";
