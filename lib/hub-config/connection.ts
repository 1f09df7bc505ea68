import "server-only";
import { findHubById, updateHub } from "@/db/queries/hubs";
import type { Hub } from "@/db/schema";
import { createPartnerApi, type PartnerApi } from "../hub/partner-api";
import type { Partner } from "../hub/types";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { publicBaseUrl } from "../env";
import { AppError } from "../errors";
import { logger } from "../log";
import { explainHubFailure, failureAsAppError, recordHubHealth } from "./health";
import { openHubCredentials } from "./secrets";

/** Where 360dialog must send this hub's webhooks and its clients' popups. */
export function portalUrlsFor(hub: Pick<Hub, "partnerId">) {
  const base = publicBaseUrl();
  return {
    webhookUrl: `${base}/api/webhooks/360dialog/${encodeURIComponent(hub.partnerId)}`,
    redirectUrl: `${base}/onboarding/redirect`,
  };
}

export function partnerApiFor(hub: Hub, transport: { timeoutMs?: number; retries?: number } = {}): PartnerApi {
  const credentials = openHubCredentials(hub);
  if (!credentials) throw new AppError("invalid:hub_credentials", "This hub has no Partner API credentials yet. Add them in Settings.");
  const log = logger("hub");
  return createPartnerApi({
    baseUrl: hub.partnerApiBaseUrl,
    partnerId: hub.partnerId,
    auth: credentials,
    ...transport,
    logger: { warn: (obj, msg) => log.warn({ ...obj, hub: hub.partnerId }, msg) },
  });
}

// A person waits for a connection test: one attempt, answered or explained within a few seconds.
const CHECK_TRANSPORT = { timeoutMs: 5_000, retries: 0 } as const;

async function loadHub(hubId: string): Promise<Hub> {
  const hub = await findHubById({ db: await getDb(), id: hubId });
  if (!hub) throw new AppError("not_found:hub", "That hub no longer exists.");
  return hub;
}

/** Turns a 360dialog failure into words a partner admin can act on (docs/hub-settings.md §6). */
function explain(error: unknown, hub: Hub): AppError {
  if (error instanceof AppError && !error.code.startsWith("invalid:hub_credentials")) return error;
  return failureAsAppError(explainHubFailure(error, hub), error);
}

export type HubCheck = { partner: Pick<Partner, "id" | "brandName" | "partnerRedirectUrl" | "webhookUrl" | "country">; expected: ReturnType<typeof portalUrlsFor> };

/** "Test connection": asks the hub who we are and shows what it holds. */
export async function testHubConnection(actor: Actor, hubId: string, source: "test" | "save" = "test"): Promise<HubCheck> {
  const hub = await loadHub(hubId);
  const db = await getDb();
  try {
    const partner = await partnerApiFor(hub, CHECK_TRANSPORT).getPartner();
    await recordHubHealth({ db, hubId: hub.id, health: { ok: true, source, message: `Connected: ${hub.partnerApiBaseUrl} answered for partner ${partner.id ?? hub.partnerId}.` } });
    await audit(db, { actor, action: "hub.connection_tested", targetType: "hub", targetId: hub.id, hubId: hub.id, detail: { ok: true, source } });
    return { partner: pick(partner), expected: portalUrlsFor(hub) };
  } catch (error) {
    const failure = explainHubFailure(error, hub);
    await recordHubHealth({ db, hubId: hub.id, health: { ok: false, source, reason: failure.reason, message: failure.message } });
    await audit(db, { actor, action: "hub.connection_tested", targetType: "hub", targetId: hub.id, hubId: hub.id, detail: { ok: false, source, reason: failure.reason } });
    throw failureAsAppError(failure, error);
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
    throw explain(error, hub);
  }
}

function pick(p: Partner): HubCheck["partner"] {
  return { id: p.id, brandName: p.brandName, partnerRedirectUrl: p.partnerRedirectUrl, webhookUrl: p.webhookUrl, country: p.country };
}
