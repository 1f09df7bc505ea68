import type { Metadata } from "next";
import { headers } from "next/headers";
import { listHubSummariesWithoutCounts, getHubSummary, type HubSummary } from "@/lib/hub-config/settings";
import { resolveInvite } from "@/lib/onboarding/invites";
import { getOnboardingSettings } from "@/lib/onboarding/settings";
import { EmbeddedSignupLauncher, type EsStrings } from "../../_components/embedded-signup-launcher";
import { errorStrings, requestLocale, translations, type T } from "../../_components/page-intl";
import { NEUTRAL_BRAND, PublicShell, linkClass, primaryButtonClass } from "../../_components/public-shell";

type Params = Record<string, string | string[] | undefined>;

export async function generateMetadata({ searchParams }: { searchParams: Promise<Params> }): Promise<Metadata> {
  const t = await translations(await requestLocale({ query: (await searchParams).lang }));
  return { title: t("titles.embeddedSignup") };
}

/** Meta's Embedded Signup steps (docs/hub-contract.md §7) a client can stop at, as the catalogues name them. */
const ES_STEPS = ["BUSINESS_ACCOUNT_SELECTION", "WABA_PHONE_PROFILE_PICKER", "WHATSAPP_BUSINESS_PROFILE_SETUP", "PHONE_NUMBER_SETUP", "PHONE_NUMBER_VERIFICATION", "PERMISSIONS", "unknown"] as const;

/** Stands for Facebook's own message while the sentence around it is finished here (it never occurs in a catalogue). */
const MARK = "\u0000";

function esStrings(t: T): EsStrings {
  const [before = "", after = ""] = t("es.error", { message: MARK }).split(MARK);
  return {
    action: t("es.action"),
    loading: t("es.loading"),
    working: t("es.working"),
    cancelledAt: Object.fromEntries(ES_STEPS.map((step) => [step, t("es.cancelled", { step: t(`es.steps.${step}`) })])),
    error: [before, after],
    errorUnknown: t("es.errorUnknown"),
    again: t("es.again"),
    failed: t("connect.failed"),
    errors: errorStrings(t),
  };
}

/** The hub this page serves: the invite's, or the open-signup hub asked for (or the only one). */
async function hubFor(
  params: Params,
): Promise<{ hub: HubSummary | null; inviteToken?: string; permissionInvite?: boolean; inviteInvalid?: "not_found" | "expired" | "revoked" | "used_up" }> {
  if (typeof params.invite === "string") {
    const invite = await resolveInvite(params.invite);
    if (!invite) return { hub: null, inviteInvalid: "not_found" };
    if (invite.state !== "valid") return { hub: await getHubSummary(invite.hubId), inviteInvalid: invite.state };
    return { hub: await getHubSummary(invite.hubId), inviteToken: params.invite, permissionInvite: invite.purpose === "permission" };
  }
  const open = (await listHubSummariesWithoutCounts()).filter((h) => h.openSignup);
  const requested = typeof params.hub === "string" ? open.find((h) => h.id === params.hub) : undefined;
  return { hub: requested ?? (open.length === 1 ? (open[0] ?? null) : null) };
}

export default async function EmbeddedSignupPage({ searchParams }: { searchParams: Promise<Params> }) {
  const [params, requestHeaders] = await Promise.all([searchParams, headers()]);
  const { hub, inviteToken, permissionInvite, inviteInvalid } = await hubFor(params);
  const settings = hub ? getOnboardingSettings(hub) : null;
  const lang = await requestLocale({ query: params.lang, partnerDefault: settings?.defaultLang });
  const t = await translations(lang);
  const brand = settings ? { name: settings.effective.brandName, logoUrl: settings.logoUrl, accentColor: settings.accentColor } : NEUTRAL_BRAND;

  let blocked: string | null = null;
  if (inviteInvalid) blocked = t(`join.invalid.${inviteInvalid}`);
  else if (!hub) blocked = t("landing.inviteOnly");
  else if (!settings?.effective.embeddedSignupReady) blocked = t("es.notReady");

  return (
    <PublicShell brand={brand} lang={lang} languageLabel={t("shell.languageLabel")}>
      <div className="space-y-6">
        <h1 className="text-3xl font-semibold tracking-tight text-slate-900">{t("es.title")}</h1>
        {blocked ? (
          <p role="alert" className="rounded-xl border-2 border-slate-900 bg-white p-6 text-slate-800">
            {blocked}
          </p>
        ) : permissionInvite && inviteToken ? (
          // A permission request is not a new signup: it belongs on the invite page.
          <p>
            <a href={`/join/${encodeURIComponent(inviteToken)}`} className={linkClass}>
              {t("join.permissionAction")}
            </a>
          </p>
        ) : (
          <>
            <p className="text-lg text-slate-700">{t("es.intro", { brand: brand.name })}</p>
            <EmbeddedSignupLauncher
              hubId={inviteToken ? undefined : hub?.id}
              inviteToken={inviteToken}
              lang={lang}
              nonce={requestHeaders.get("x-nonce") ?? undefined}
              buttonClass={primaryButtonClass}
              t={esStrings(t)}
            />
          </>
        )}
      </div>
    </PublicShell>
  );
}
