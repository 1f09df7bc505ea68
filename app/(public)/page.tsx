import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { isSetupOpen } from "@/lib/auth/users";
import { connectButtonEnvFor } from "@/lib/hub-config/connect-button";
import { listHubSummaries, type HubSummary } from "@/lib/hub-config/settings";
import { getOnboardingSettings } from "@/lib/onboarding/settings";
import { HandoffView, isRedirectReturn } from "./_components/handoff-view";
import { ConnectAction, LandingView, type Trigger } from "./_components/landing-view";
import { langHrefs, requestLocale, translations } from "./_components/page-intl";
import { brandOf, portalBrandHub } from "./_components/portal-brand";
import { PublicShell, linkClass } from "./_components/public-shell";

type Params = Record<string, string | string[] | undefined>;

export async function generateMetadata({ searchParams }: { searchParams: Promise<Params> }): Promise<Metadata> {
  const t = await translations(await requestLocale({ query: (await searchParams).lang }));
  return { title: t("titles.landing") };
}

function triggerOf(hub: HubSummary): Trigger {
  // The package knows fixed 360dialog hosts only; any other IO base (a staging hub) gets the portal's popup.
  return getOnboardingSettings(hub).trigger === "connect_button" && connectButtonEnvFor(hub) ? "connect_button" : "popup";
}

export default async function LandingPage({ searchParams }: { searchParams: Promise<Params> }) {
  const params = await searchParams;
  // The Connect Button brings the popup (and then this page) back here with the redirect query.
  if (isRedirectReturn(params)) return <HandoffView locale={await requestLocale()} />;
  // A portal just installed has no staff yet and no partner of its own to show clients: whoever opens it is the
  // partner installing it, so it goes straight to creating the first administrator (README, Quick start).
  if (await isSetupOpen()) redirect("/setup");

  const hubs = await listHubSummaries();
  const open = hubs.filter((h) => h.openSignup);
  const requested = typeof params.hub === "string" ? params.hub : undefined;
  const hub = (requested ? open.find((h) => h.id === requested) : undefined) ?? (open.length === 1 ? open[0] : undefined);
  const shown = hub ?? (requested ? hubs.find((h) => h.id === requested) : undefined) ?? (open.length === 0 ? portalBrandHub(hubs) : undefined);
  const brand = brandOf(shown);
  const settings = shown ? getOnboardingSettings(shown) : null;
  const lang = await requestLocale({ query: params.lang, partnerDefault: settings?.defaultLang });
  const t = await translations(lang);
  const hubQuery = shown && requested === shown.id ? `&hub=${encodeURIComponent(shown.id)}` : "";
  const switcher = langHrefs("/", hubQuery);
  const footer = (
    <a href="/login" className={linkClass}>
      {t("shell.staffSignIn")}
    </a>
  );

  if (!hub && open.length > 1) {
    return (
      <PublicShell brand={brand} lang={lang} langHrefs={switcher} languageLabel={t("shell.languageLabel")} footer={footer}>
        <h1 className="text-3xl font-semibold tracking-tight text-slate-900">{t("landing.chooseTitle")}</h1>
        <p className="mt-3 text-slate-700">{t("landing.chooseIntro")}</p>
        <ul className="mt-6 space-y-3">
          {open.map((h) => (
            <li key={h.id}>
              <a href={`/?hub=${encodeURIComponent(h.id)}&lang=${encodeURIComponent(lang)}`} className={linkClass}>
                {getOnboardingSettings(h).effective.brandName}
              </a>
            </li>
          ))}
        </ul>
      </PublicShell>
    );
  }

  const action = hub ? <ConnectAction trigger={triggerOf(hub)} start={{ hubId: hub.id, returnPath: "/" }} lang={lang} t={t} /> : null;
  const esHref = hub && getOnboardingSettings(hub).effective.embeddedSignupReady ? `/onboarding/embedded-signup?hub=${encodeURIComponent(hub.id)}&lang=${encodeURIComponent(lang)}` : null;
  return (
    <PublicShell brand={brand} lang={lang} langHrefs={switcher} languageLabel={t("shell.languageLabel")} footer={footer}>
      <LandingView brandName={brand.name || t("landing.yourProvider")} t={t} action={action} esHref={esHref} />
    </PublicShell>
  );
}
