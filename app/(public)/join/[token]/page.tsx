import type { Metadata } from "next";
import { cookies } from "next/headers";
import { notFound } from "next/navigation";
import { connectButtonEnvFor } from "@/lib/hub-config/connect-button";
import { getHubSummary } from "@/lib/hub-config/settings";
import { resolveInvite } from "@/lib/onboarding/invites";
import { getOnboardingSettings } from "@/lib/onboarding/settings";
import { browserBindingCookieName } from "@/lib/onboarding/tokens";
import { HandoffView, isRedirectReturn } from "../../_components/handoff-view";
import { InviteLandingReport } from "../../_components/invite-landing-report";
import { ConnectAction, LandingView, Prepared } from "../../_components/landing-view";
import { langHrefs, requestLocale, translations } from "../../_components/page-intl";
import { NEUTRAL_BRAND, PublicShell } from "../../_components/public-shell";

type Params = Record<string, string | string[] | undefined>;

export async function generateMetadata({ searchParams }: { searchParams: Promise<Params> }): Promise<Metadata> {
  const t = await translations(await requestLocale({ query: (await searchParams).lang }));
  return { title: t("titles.landing") };
}

export default async function JoinPage({ params, searchParams }: { params: Promise<{ token: string }>; searchParams: Promise<Params> }) {
  const [{ token }, query, cookieStore] = await Promise.all([params, searchParams, cookies()]);
  // The Connect Button brings the popup (and then this page) back here with the redirect query: finish that,
  // whatever the invite's state is now (the session this flow used already counted its use).
  if (isRedirectReturn(query)) return <HandoffView locale={await requestLocale()} />;

  const invite = await resolveInvite(token, { recordOpen: true, browserBinding: cookieStore.get(browserBindingCookieName())?.value });
  const hub = invite ? await getHubSummary(invite.hubId) : null;
  // A link nobody issued is answered 404 (./not-found.tsx, in the partner's brand); a known link that no longer
  // works (expired, revoked, used up) keeps its own hub's page and says which.
  if (!invite || !hub) notFound();
  const settings = hub ? getOnboardingSettings(hub) : null;
  const lang = await requestLocale({ query: query.lang, preferred: invite.prefill.lang, partnerDefault: settings?.defaultLang });
  const t = await translations(lang);
  const brand = settings ? { name: settings.effective.brandName, logoUrl: settings.logoUrl, accentColor: settings.accentColor } : NEUTRAL_BRAND;
  const switcher = langHrefs(`/join/${token}`);

  // A client whose own start took the last use keeps the action: starting again reopens that session.
  const usable = invite?.state === "valid" || (invite?.state === "used_up" && invite.openSession);
  if (!usable) {
    const reason = invite.state === "valid" ? "not_found" : invite.state;
    return (
      <PublicShell brand={brand} lang={lang} langHrefs={switcher} languageLabel={t("shell.languageLabel")}>
        <div role="alert" className="rounded-xl border-2 border-slate-900 bg-white p-6">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{t("join.invalidTitle")}</h1>
          <p className="mt-3 text-slate-700">{t(`join.invalid.${reason}`)}</p>
          {brand.name ? <p className="mt-2 text-slate-700">{t("join.askWhom", { brand: brand.name })}</p> : null}
        </div>
      </PublicShell>
    );
  }

  const permission = invite.purpose === "permission";
  // A permission request opens 360dialog's permission screen, which only the portal's popup can point at.
  const trigger = !permission && settings?.trigger === "connect_button" && connectButtonEnvFor(hub) ? "connect_button" : "popup";
  const action = (
    <ConnectAction
      trigger={trigger}
      start={{ inviteToken: token, returnPath: `/join/${token}` }}
      lang={lang}
      t={t}
      label={permission ? t("join.permissionAction") : undefined}
    />
  );
  const esHref = !permission && invite.state === "valid" && settings?.effective.embeddedSignupReady ? `/onboarding/embedded-signup?invite=${encodeURIComponent(token)}&lang=${encodeURIComponent(lang)}` : null;
  return (
    <PublicShell brand={brand} lang={lang} langHrefs={switcher} languageLabel={t("shell.languageLabel")}>
      <InviteLandingReport inviteToken={token} />
      <LandingView
        brandName={brand.name}
        t={t}
        action={action}
        permission={permission}
        esHref={esHref}
        prepared={<Prepared prefill={invite.prefill} t={t} />}
      />
    </PublicShell>
  );
}
