import "server-only";
import { findHubById } from "@/db/queries/hubs";
import { consumeSession, findSessionByStateHash, updateSession } from "@/db/queries/onboarding";
import type { Hub, OnboardingSession } from "@/db/schema";
import { getDb } from "../db";
import type { PartnerApi } from "../hub/partner-api";
import { parseRedirectQuery } from "../hub/redirect";
import { partnerApiFor } from "../hubs/connection";
import { logger } from "../log";
import { recordFunnelEvent } from "./funnel";
import { confirmWithHub, linkSession } from "./link";
import { failure, type OnboardingFailure, type OnboardingFailureCode } from "./outcomes";
import { hashToken, readBrowserBinding, sameHash, statusPathFor } from "./state";

// The redirect back from 360dialog (R11-R13): `?client=…&channels=[…]&revoked=[…]&state=…`, handed over by the
// redirect page (popup or not) or by the page hosting the Connect Button. The state is checked first, then the
// claim is confirmed with the Partner API, and only then is anything linked.
//
// Session status: `redirected` = a redirect arrived for it and was consumed, the hub has not confirmed it yet
// (in flight, or the hub was unreachable: the same browser may retry with the same query until the session
// expires); `completed` = confirmed and linked; `failed` = the hub refused the claim (nothing linked).

export type CompletionResult = { ok: true; sessionId: string; statusUrl: string } | { ok: false; error: OnboardingFailure };

export type CompletionDeps = { partnerApi?: (hub: Hub) => PartnerApi };

const log = () => logger("onboarding");

/** Why this browser may not use this session now, or null. Never logs or returns the state itself. */
export function refusalFor(session: OnboardingSession, bindingHash: string | null, now = new Date()): OnboardingFailureCode | null {
  if (session.consumedAt) return "state_reused";
  if (session.expiresAt.getTime() <= now.getTime()) return "state_expired";
  if (!sameHash(session.browserBindingHash, bindingHash)) return "state_foreign_browser";
  return null;
}

function refuse(code: OnboardingFailureCode, context: Record<string, unknown> = {}): CompletionResult {
  log().warn({ ...context, code }, "onboarding redirect refused");
  return { ok: false, error: failure(code) };
}

export async function completeOnboarding(
  input: { query: string; browserBinding: string | null | undefined; ip: string },
  deps: CompletionDeps = {},
): Promise<CompletionResult> {
  const parsed = parseRedirectQuery(typeof input.query === "string" ? input.query : "");
  if (!parsed.ok) return refuse("bad_query", { reason: parsed.error.code, ip: input.ip });
  const { clientId, channels, revoked, state } = parsed.value;
  // UNVERIFIED (contract §2.1): 360dialog may not echo `state`; without it we cannot tell whose flow this is.
  if (state === null) return refuse("state_missing", { ip: input.ip });
  if (clientId === null) return refuse("bad_query", { reason: "no_client", ip: input.ip });

  const db = await getDb();
  const session = await findSessionByStateHash({ db, stateHash: hashToken(state) });
  if (!session || session.method === "embedded_signup") return refuse("state_unknown", { ip: input.ip });
  const binding = readBrowserBinding(input.browserBinding);
  const bindingHash = binding ? hashToken(binding) : null;
  const refusal = refusalFor(session, bindingHash);
  if (refusal) {
    if (refusal === "state_expired" && (session.status === "started" || session.status === "redirected")) {
      await updateSession({ db, id: session.id, set: { status: "expired" } });
    }
    return refuse(refusal, { sessionId: session.id, ip: input.ip });
  }

  // One-time use (R11): only one caller gets the row back, however many arrive at once.
  const consumed = await consumeSession({
    db,
    id: session.id,
    browserBindingHash: bindingHash!,
    set: { status: "redirected", clientExternalId: clientId, channelExternalIds: [], revokedExternalIds: [], error: null },
  });
  if (!consumed) return refuse("state_reused", { sessionId: session.id, ip: input.ip });
  await recordFunnelEvent({ hubId: session.hubId, sessionId: session.id, inviteId: session.inviteId, kind: "redirect_received", detail: { channels: channels.length, revoked: revoked.length } }, db);

  const hub = await findHubById({ db, id: session.hubId });
  let confirmation: Awaited<ReturnType<typeof confirmWithHub>>;
  try {
    if (!hub) throw new Error("hub of the session is gone");
    confirmation = await confirmWithHub((deps.partnerApi ?? partnerApiFor)(hub), clientId, channels, revoked);
  } catch (error) {
    // Nothing was confirmed: hand the state back to this browser so it can retry (R11 still holds: same binding).
    await updateSession({ db, id: session.id, set: { consumedAt: null, error: "hub_unavailable" } });
    log().error({ sessionId: session.id, err: error instanceof Error ? error.message : "failed" }, "onboarding redirect: hub confirmation failed");
    return { ok: false, error: failure("hub_unavailable") };
  }

  if (!confirmation.ok) {
    await updateSession({
      db,
      id: session.id,
      set: { status: "failed", error: confirmation.code, clientExternalId: null, channelExternalIds: [], revokedExternalIds: [] },
    });
    return refuse(confirmation.code, { sessionId: session.id, unknownChannels: confirmation.unknownChannels, ip: input.ip });
  }

  await linkSession({
    hub: hub!,
    session: consumed,
    client: confirmation.client,
    channels: confirmation.channels,
    revoked: confirmation.revoked,
    // Contract §2.1: `channels` are the channels permitted in this visit; on direct payment that is the grant.
    grant: hub!.paymentMode === "direct",
    event: "onboarding_redirect",
  });
  log().info({ sessionId: session.id, channels: confirmation.channels.length, revoked: confirmation.revoked.length }, "onboarding completed");
  return { ok: true, sessionId: session.id, statusUrl: statusPathFor(session.id) };
}
