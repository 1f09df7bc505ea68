import { requestLocale, translations } from "../../../_components/page-intl";
import { NEUTRAL_BRAND, PublicShell } from "../../../_components/public-shell";

export default async function StatusNotFound() {
  const lang = await requestLocale();
  const t = await translations(lang);
  return (
    <PublicShell brand={NEUTRAL_BRAND} lang={lang} languageLabel={t("shell.languageLabel")}>
      <div role="alert" className="rounded-xl border-2 border-slate-900 bg-white p-6">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{t("status.notFoundTitle")}</h1>
        <p className="mt-3 text-slate-700">{t("status.notFound")}</p>
      </div>
    </PublicShell>
  );
}
