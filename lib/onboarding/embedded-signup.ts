import "server-only";
import { z } from "zod";
import { findHubById } from "@/db/queries/hubs";
import { consumeSession, findSessionById } from "@/db/queries/onboarding";
import { getDb } from "../db";
import type { OnboardSharedWabaInput } from "../hub/partner-api";
import { partnerApiFor } from "../hub-config/connection";
import { logger } from "../log";
import type { CompletionDeps } from "./complete";
import { refusalFor } from "./complete";
import { recordFunnelEvent } from "./funnel";
import { confirmWithHub, linkSession } from "./link-session";
import { failure, type OnboardingFailure, type OnboardingFailureCode } from "./outcomes";
import { fromStoredPrefill } from "./prefill";
import { getOnboardingSettings } from "./settings";
import { hashToken, readBrowserBinding, statusPathFor } from "./tokens";
import { endSession } from "./session-events";

// Partner-hosted Embedded Signup (docs/hub-contract.md §7): the page launches Meta's FB.login with the hub's
// app and configuration ids and forwards the WA_EMBEDDED_SIGNUP session message here; on FINISH the shared WABA
// is onboarded through 360dialog's account sharing and the resulting channel is linked to the session.

const metaId = z.string().regex(/^[0-9]{1,32}$/, "must be a Meta id (digits)");

export const embeddedSignupEventSchema = z.discriminatedUnion("event", [
  z.object({ event: z.literal("FINISH"), data: z.object({ waba_id: metaId, business_id: metaId, phone_number_id: metaId.optional() }) }),
  // featureType only_waba_sharing: no phone number yet (docs/hub-contract.md §7).
  z.object({ event: z.literal("FINISH_ONLY_WABA"), data: z.object({ waba_id: metaId, business_id: metaId }) }),
  z.object({ event: z.literal("CANCEL"), data: z.object({ current_step: z.string().regex(/^[A-Z_]{1,64}$/).optional() }).default({}) }),
  // UNVERIFIED (docs/hub-contract.md §7): the ERROR event's shape; only error_message is read.
  z.object({ event: z.literal("ERROR"), data: z.object({ error_message: z.string().max(2000).optional() }).default({}) }),
]);

export type EmbeddedSignupResult = { ok: true; statusUrl: string | null } | { ok: false; error: OnboardingFailure };

const log = () => logger("onboarding");

function refuse(code: OnboardingFailureCode, context: Record<string, unknown>): EmbeddedSignupResult {
  log().warn({ ...context, code }, "embedded signup event refused");
  return { ok: false, error: failure(code) };
}

const clip = (text: string | undefined, max: number) => (text ?? "").replace(/[\p{Cc}\p{Cf}]+/gu, " ").slice(0, max);

export async function recordEmbeddedSignupEvent(
  input: { sessionId: string; browserBinding: string | null | undefined; event: string; data: unknown },
  deps: CompletionDeps = {},
): Promise<EmbeddedSignupResult> {
  const parsed = embeddedSignupEventSchema.safeParse({ event: input.event, data: input.data });
  if (!parsed.success) return refuse("bad_event", { sessionId: input.sessionId });
  if (!z.uuid().safeParse(input.sessionId).success) return refuse("state_unknown", {});
  const db = await getDb();
  const session = await findSessionById({ db, id: input.sessionId });
  if (!session || session.method !== "embedded_signup") return refuse("state_unknown", { sessionId: input.sessionId });
  const binding = readBrowserBinding(input.browserBinding);
  const bindingHash = binding ? hashToken(binding) : null;
  const refusal = refusalFor(session, bindingHash);
  if (refusal) return refuse(refusal, { sessionId: session.id });
  const event = parsed.data;
  const ids = { hubId: session.hubId, sessionId: session.id, inviteId: session.inviteId };

  if (event.event === "CANCEL") {
    const step = event.data.current_step ?? "UNKNOWN";
    await endSession(db, session, { status: "cancelled", error: `cancelled at ${step}` });
    await recordFunnelEvent(db, { ...ids, kind: "es_cancel", detail: { currentStep: step } });
    return { ok: true, statusUrl: null };
  }
  if (event.event === "ERROR") {
    const message = clip(event.data.error_message, 500);
    await endSession(db, session, { status: "failed", error: `embedded signup error: ${message}` });
    await recordFunnelEvent(db, { ...ids, kind: "es_error", detail: { message: clip(message, 200) } });
    return { ok: true, statusUrl: null };
  }

  const hub = await findHubById({ db, id: session.hubId });
  const settings = hub ? getOnboardingSettings(hub) : null;
  if (!hub || !settings?.solutionId) return refuse("onboarding_failed", { sessionId: session.id, reason: "not_configured" });
  const consumed = await consumeSession({ db, id: session.id, browserBindingHash: bindingHash!, set: { status: "redirected", error: null } });
  if (!consumed) return refuse("state_reused", { sessionId: session.id });
  await recordFunnelEvent(db, { ...ids, kind: "es_finish", detail: { onlyWaba: event.event === "FINISH_ONLY_WABA" } });

  const knownClient = fromStoredPrefill(session.prefill).clientId ?? session.clientExternalId ?? undefined;
  const request: OnboardSharedWabaInput = {
    solutionId: settings.solutionId,
    wabaExternalId: event.data.waba_id,
    wabaBusinessId: event.data.business_id,
    ...(knownClient ? { clientId: knownClient } : {}),
    ...(settings.esTier ? { tier: settings.esTier } : {}),
  };
  try {
    const api = (deps.partnerApi ?? partnerApiFor)(hub);
    const onboarded = await api.onboardSharedWaba(request);
    const clientId = onboarded.clientId ?? knownClient;
    if (!clientId) throw new Error("account sharing answered without a client id");
    const found = await api.listChannels({ filters: { "waba_account.external_id": event.data.waba_id } });
    const channelIds = found.items.filter((c) => (c.clientId ?? c.client?.id) === clientId).map((c) => c.id);
    if (channelIds.length === 0) log().warn({ sessionId: session.id }, "embedded signup: no channel listed yet for the shared WABA");
    const confirmation = await confirmWithHub(api, clientId, channelIds);
    if (!confirmation.ok) throw new Error(`account sharing result not confirmed: ${confirmation.code}`);
    await linkSession({
      hub,
      session: consumed,
      client: confirmation.client,
      channels: confirmation.channels,
      // The numbers come from 360dialog's own listing after account sharing, not from a browser.
      permissions: hub.paymentMode === "direct" ? { granted: confirmation.channels, revoked: [] } : null,
      event: "embedded_signup",
    });
  } catch (error) {
    // Nothing was linked: hand the session back to this browser so the page can submit FINISH again.
    await endSession(db, session, { consumedAt: null, status: "failed", error: "embedded signup: onboarding failed" });
    log().error({ sessionId: session.id, err: error instanceof Error ? error.message : "failed" }, "embedded signup: onboarding the shared WABA failed");
    return { ok: false, error: failure("onboarding_failed") };
  }
  return { ok: true, statusUrl: statusPathFor(session.id) };
}
