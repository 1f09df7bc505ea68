import "server-only";
import { findHubById, updateHub } from "@/db/queries/hubs";
import type { Hub } from "@/db/schema";
import { isHubError } from "../hub/http";
import { createPartnerApi, type PartnerApi } from "../hub/partner-api";
import type { Partner } from "../hub/types";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { publicBaseUrl } from "../env";
import { AppError } from "../errors";
import { logger } from "../log";
import { openHubCredentials } from "./secrets";

/** Where 360dialog must send this hub's webhooks and its clients' popups. */
export function portalUrlsFor(hub: Pick<Hub, "partnerId">) {
  const base = publicBaseUrl();
  return {
    webhookUrl: `${base}/api/webhooks/360dialog/${encodeURIComponent(hub.partnerId)}`,
    redirectUrl: `${base}/onboarding/redirect`,
  };
}

export function partnerApiFor(hub: Hub): PartnerApi {
  const credentials = openHubCredentials(hub);
  if (!credentials) throw new AppError("invalid:hub_credentials", "This hub has no Partner API credentials yet. Add them in Settings.");
  const log = logger("hub");
  return createPartnerApi({
    baseUrl: hub.partnerApiBaseUrl,
    partnerId: hub.partnerId,
    auth: credentials,
    logger: { warn: (obj, msg) => log.warn({ ...obj, hub: hub.partnerId }, msg) },
  });
}

async function loadHub(hubId: string): Promise<Hub> {
  const hub = await findHubById({ db: await getDb(), id: hubId });
  if (!hub) throw new AppError("not_found:hub", "That hub no longer exists.");
  return hub;
}

/** Turns a 360dialog failure into words a partner admin can act on; the details stay in the log. */
function explain(error: unknown): AppError {
  if (!isHubError(error)) return error instanceof AppError ? error : new AppError("upstream:hub", "The hub could not be reached.", { cause: error });
  if (error.status === 401 || error.status === 403) {
    return new AppError("upstream:hub_auth", `360dialog refused the credentials (${error.status}). Check the Partner API key or login.`, { cause: error });
  }
  if (error.status === 404) return new AppError("upstream:hub_not_found", "360dialog does not know this partner ID (404).", { cause: error });
  const reason = error.developerMessage ? `: ${error.developerMessage}` : "";
  const what = error.code === "timeout" ? "did not answer in time" : error.code === "network" ? "could not be reached" : `answered ${error.status ?? "with an error"}`;
  return new AppError("upstream:hub", `The hub ${what}${reason}.`, { cause: error });
}

export type HubCheck = { partner: Pick<Partner, "id" | "brandName" | "partnerRedirectUrl" | "webhookUrl" | "country">; expected: ReturnType<typeof portalUrlsFor> };

/** "Test connection": asks the hub who we are and shows what it holds. */
export async function testHubConnection(actor: Actor, hubId: string): Promise<HubCheck> {
  const hub = await loadHub(hubId);
  try {
    const partner = await partnerApiFor(hub).getPartner();
    await audit(await getDb(), { actor, action: "hub.connection_tested", targetType: "hub", targetId: hub.id, hubId: hub.id, detail: { ok: true } });
    return { partner: pick(partner), expected: portalUrlsFor(hub) };
  } catch (error) {
    await audit(await getDb(), { actor, action: "hub.connection_tested", targetType: "hub", targetId: hub.id, hubId: hub.id, detail: { ok: false } });
    throw explain(error);
  }
}

/** "Register webhook and redirect URLs": points the hub at this portal, then reads back what it holds. */
export async function registerHubUrls(actor: Actor, hubId: string): Promise<HubCheck> {
  const hub = await loadHub(hubId);
  const expected = portalUrlsFor(hub);
  try {
    const api = partnerApiFor(hub);
    await api.updatePartner({ partnerRedirectUrl: expected.redirectUrl, webhookUrl: expected.webhookUrl });
    const partner = await api.getPartner();
    const db = await getDb();
    await updateHub({ db, id: hub.id, set: { redirectUrl: partner.partnerRedirectUrl ?? expected.redirectUrl } });
    await audit(db, { actor, action: "hub.urls_registered", targetType: "hub", targetId: hub.id, hubId: hub.id, detail: expected });
    return { partner: pick(partner), expected };
  } catch (error) {
    throw explain(error);
  }
}

function pick(p: Partner): HubCheck["partner"] {
  return { id: p.id, brandName: p.brandName, partnerRedirectUrl: p.partnerRedirectUrl, webhookUrl: p.webhookUrl, country: p.country };
}
