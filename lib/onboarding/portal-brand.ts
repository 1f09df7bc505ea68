import "server-only";
import type { HubSummary } from "../hub-config/settings";
import { NEUTRAL_BRAND, type Brand } from "./light-data";
import { getOnboardingSettings } from "./settings";

export function brandOf(hub: HubSummary | undefined | null): Brand {
  if (!hub) return NEUTRAL_BRAND;
  const settings = getOnboardingSettings(hub);
  return { name: settings.effective.brandName, logoUrl: settings.logoUrl, accentColor: settings.accentColor };
}

/**
 * Whose brand a page wears when no particular hub is its subject (the start page with sign-up by invitation only,
 * an unknown invite link): the partner's own hubs (the local sandbox only when there is no other), as long as they
 * all show clients the same name; several brands would be a guess, so the page stays neutral then.
 */
export function portalBrandHub(hubs: readonly HubSummary[]): HubSummary | undefined {
  const own = hubs.filter((h) => !h.isSandbox);
  const candidates = own.length > 0 ? own : hubs;
  const names = new Set(candidates.map((h) => getOnboardingSettings(h).effective.brandName));
  return names.size === 1 ? candidates[0] : undefined;
}
