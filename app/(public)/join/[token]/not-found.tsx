import { connection } from "next/server";
import { listHubSummaries } from "@/lib/hub-config/settings";
import { getOnboardingSettings } from "@/lib/onboarding/settings";
import { requestLocale, translations } from "../../_components/page-intl";
import { brandOf, portalBrandHub } from "../../_components/portal-brand";
import { PublicShell } from "../../_components/public-shell";

/** An invite link this portal never issued (HTTP 404): in the partner's brand, with what to do next. */
export default async function UnknownInvite() {
  await connection(); // rendered per request so it carries the CSP nonce
  const hubs = await listHubSummaries();
  const hub = portalBrandHub(hubs);
  const brand = brandOf(hub);
  const lang = await requestLocale({ partnerDefault: hub ? getOnboardingSettings(hub).defaultLang : null });
  const t = await translations(lang);
  return (
    <PublicShell brand={brand} lang={lang} languageLabel={t("shell.languageLabel")}>
      <div role="alert" className="rounded-xl border-2 border-slate-900 bg-white p-6">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{t("join.invalidTitle")}</h1>
        <p className="mt-3 text-slate-700">{t("join.invalid.not_found")}</p>
        {brand.name ? <p className="mt-2 text-slate-700">{t("join.askWhom", { brand: brand.name })}</p> : null}
      </div>
    </PublicShell>
  );
}
