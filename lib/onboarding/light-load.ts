import "server-only";
import { countSaysSetupOpen } from "../auth/users";
import { connectButtonEnvFor } from "../hub-config/connect-button";
import { getHubSummary, listHubSummariesWithoutCounts, type HubSummary } from "../hub-config/settings";
import { processSlots } from "../process-slots";
import { resolveInvite } from "./invites";
import type { JoinData, LandingData, LightPageData, Trigger } from "./light-data";
import { brandOf, portalBrandHub } from "./portal-brand";
import { getOnboardingSettings } from "./settings";
import { browserBindingCookieName } from "./tokens";

// The light client pages' data (light-data.ts): the same rules the App Router pages applied, as plain data.

function triggerOf(hub: HubSummary): Trigger {
  // The package knows fixed 360dialog hosts only; any other IO base (a staging hub) gets the portal's popup.
  return getOnboardingSettings(hub).trigger === "connect_button" && connectButtonEnvFor(hub) ? "connect_button" : "popup";
}

async function landing({ requestedHub }: { requestedHub: string | undefined }): Promise<LandingData> {
  // A portal just installed has no staff yet and no partner of its own to show clients: whoever opens it is the
  // partner installing it, so it goes straight to creating the first administrator (README, Quick start).
  if (await countSaysSetupOpen()) return { kind: "setup" };
  const hubs = await listHubSummariesWithoutCounts();
  const open = hubs.filter((h) => h.openSignup);
  const hub = (requestedHub ? open.find((h) => h.id === requestedHub) : undefined) ?? (open.length === 1 ? open[0] : undefined);
  const shown = hub ?? (requestedHub ? hubs.find((h) => h.id === requestedHub) : undefined) ?? (open.length === 0 ? portalBrandHub(hubs) : undefined);
  return {
    kind: !hub && open.length > 1 ? "chooser" : "landing",
    brand: brandOf(shown),
    partnerDefault: shown ? getOnboardingSettings(shown).defaultLang : null,
    requestedShown: shown && requestedHub === shown.id ? shown.id : null,
    choices: open.map((h) => ({ id: h.id, name: getOnboardingSettings(h).effective.brandName })),
    hub: hub ? { id: hub.id, trigger: triggerOf(hub), embeddedSignupReady: getOnboardingSettings(hub).effective.embeddedSignupReady } : null,
  };
}

async function join({ token, browserBinding }: { token: string; browserBinding: string | undefined }): Promise<JoinData> {
  const invite = await resolveInvite(token, { recordOpen: true, browserBinding });
  const hub = invite ? await getHubSummary(invite.hubId) : null;
  if (!invite || !hub) {
    const brandHub = portalBrandHub(await listHubSummariesWithoutCounts());
    return { kind: "unknown", brand: brandOf(brandHub), partnerDefault: brandHub ? getOnboardingSettings(brandHub).defaultLang : null };
  }
  const settings = getOnboardingSettings(hub);
  // A client whose own start took the last use keeps the action: starting again reopens that session.
  const usable = invite.state === "valid" || (invite.state === "used_up" && invite.openSession);
  const permission = invite.purpose === "permission";
  return {
    kind: "invite",
    brand: brandOf(hub),
    partnerDefault: settings.defaultLang,
    preferredLang: invite.prefill.lang ?? null,
    refusal: usable ? null : invite.state === "valid" ? "not_found" : invite.state,
    state: invite.state,
    permission,
    // A permission request opens 360dialog's permission screen, which only the portal's popup can point at.
    trigger: permission ? "popup" : triggerOf(hub),
    embeddedSignupReady: settings.effective.embeddedSignupReady,
    prepared: { email: invite.prefill.email ?? null, name: invite.prefill.name ?? null, number: invite.prefill.number ?? null },
  };
}

/** Hands the functions to the light pages (called once at boot, lib/boot.ts). */
export function installLightPageData(): void {
  const data: LightPageData = { landing, join, browserBindingCookie: browserBindingCookieName };
  processSlots.lightPages = data;
}
