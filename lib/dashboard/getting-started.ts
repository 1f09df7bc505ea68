import "server-only";
import { findFirstSteps, type FirstSteps } from "@/db/queries/getting-started";
import { getDb } from "../db";
import { portalUrlsFor } from "../hub-config/connection";
import { listHubSummariesWithoutCounts, type HubSummary } from "../hub-config/settings";
import { DEFAULT_ACCENT, getOnboardingSettings } from "../onboarding/settings";

// The Overview's getting-started checklist: what a partner does once after installing the portal, each item read
// from what is stored (never a flag someone ticks), linking to the page where it is done.

export type ChecklistItem = { key: string; title: string; done: boolean; detail: string; href: string; action: string };
export type GettingStarted = { items: ChecklistItem[]; done: number; complete: boolean };

type HubFacts = Pick<HubSummary, "id" | "name" | "isSandbox" | "authKind" | "hasPlatformSecret" | "redirectUrl"> & {
  /** The redirect URL 360dialog must hold for this hub (this portal's). */
  expectedRedirectUrl: string;
  branded: boolean;
};

/** The checklist from the hubs and the first steps taken on them. Pure, so every combination is unit-tested. */
export function gettingStartedItems(hubs: readonly HubFacts[], steps: FirstSteps): GettingStarted {
  const live = hubs.filter((h) => !h.isSandbox);
  // Once the partner's own hub exists the checklist is about it; until then about the local sandbox, so the rest
  // of the steps can be tried there (the first item stays open).
  const considered = live.length > 0 ? live : hubs;
  const firstWithout = (test: (h: HubFacts) => boolean) => considered.find((h) => !test(h));
  const editHref = (h: HubFacts | undefined) => (h ? `/dashboard/settings?edit=${h.id}` : "/dashboard/settings?new=1");

  const noCredentials = live.find((h) => !h.authKind);
  const noSecret = firstWithout((h) => h.hasPlatformSecret);
  const notRegistered = firstWithout((h) => h.redirectUrl === h.expectedRedirectUrl);
  const unbranded = firstWithout((h) => h.branded);

  const items: ChecklistItem[] = [
    {
      key: "credentials",
      title: "Connect your 360dialog hub",
      done: live.length > 0 && !noCredentials,
      detail:
        live.length === 0
          ? "Only the local sandbox hub so far. Add your hub with its partner ID and a Partner API key (Partner Hub → API Keys)."
          : noCredentials
            ? `${noCredentials.name} has no Partner API credentials stored.`
            : "Partner API credentials are stored (encrypted).",
      href: live.length === 0 ? "/dashboard/settings?new=1" : editHref(noCredentials),
      action: live.length === 0 ? "Add a hub" : "Edit the hub",
    },
    {
      key: "platform_secret",
      title: "Save the platform secret",
      done: considered.length > 0 && !noSecret,
      detail: noSecret
        ? `${noSecret.name} has no platform secret (Partner Hub → Integration): without it webhooks cannot be verified.`
        : considered.length === 0
          ? "Add a hub first."
          : "Webhooks are verified with the stored platform secret.",
      href: editHref(noSecret ?? considered[0]),
      action: "Edit the hub",
    },
    {
      key: "urls",
      title: "Register the webhook and redirect URLs at 360dialog",
      done: considered.length > 0 && !notRegistered,
      detail:
        (notRegistered
          ? `${notRegistered.name}: Settings → “Register webhook and redirect URLs” sets both at 360dialog and reads them back.`
          : considered.length === 0
            ? "Add a hub first."
            : "360dialog holds this portal's redirect URL.") +
        (considered.length > 0 ? (steps.webhookReceived ? " Webhooks from 360dialog are arriving." : " No webhook from 360dialog has arrived yet.") : ""),
      href: "/dashboard/settings",
      action: "Open Settings",
    },
    {
      key: "branding",
      title: "Brand the client pages",
      done: considered.length > 0 && !unbranded,
      detail: unbranded
        ? `${unbranded.name}: your name, logo and colour are what clients see on the connect and status pages.`
        : considered.length === 0
          ? "Add a hub first."
          : "Clients see your name and colour.",
      href: unbranded ? `/dashboard/settings/onboarding/${unbranded.id}` : "/dashboard/settings",
      action: "Onboarding settings",
    },
    {
      key: "invite",
      title: "Send your first invite link",
      done: steps.inviteCreated,
      detail: steps.inviteCreated ? "An invite link exists." : "An invite link takes a client straight to connecting their number.",
      href: "/dashboard/invites",
      action: "Invites",
    },
    {
      key: "running",
      title: "See your first number running",
      done: steps.numberRunning,
      detail: steps.numberRunning ? "A number is running on WhatsApp." : "Once a client has connected a number and 360dialog runs it, it shows here and in Channels.",
      href: "/dashboard/channels",
      action: "Channels",
    },
  ];
  const done = items.filter((i) => i.done).length;
  return { items, done, complete: done === items.length };
}

export async function loadGettingStarted(): Promise<GettingStarted> {
  const hubs = await listHubSummariesWithoutCounts();
  const live = hubs.filter((h) => !h.isSandbox);
  const steps = await findFirstSteps({ db: await getDb(), hubIds: (live.length > 0 ? live : hubs).map((h) => h.id) });
  const facts = hubs.map((h): HubFacts => {
    const settings = getOnboardingSettings(h);
    return {
      id: h.id,
      name: h.name,
      isSandbox: h.isSandbox,
      authKind: h.authKind,
      hasPlatformSecret: h.hasPlatformSecret,
      redirectUrl: h.redirectUrl,
      expectedRedirectUrl: portalUrlsFor(h).redirectUrl,
      branded: Boolean(settings.brandName || settings.logoUrl) || settings.accentColor.toLowerCase() !== DEFAULT_ACCENT,
    };
  });
  return gettingStartedItems(facts, steps);
}
