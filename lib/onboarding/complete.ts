import "server-only";
import { findHubById } from "@/db/queries/hubs";
import { consumeSession, findNewestSessionForBrowser, findSessionByStateHash, updateSession } from "@/db/queries/onboarding";
import type { Database } from "@/db/client";
import type { Hub, OnboardingSession } from "@/db/schema";
import { getDb } from "../db";
import { getEnv } from "../env";
import type { PartnerApi } from "../hub/partner-api";
import { parseRedirectQuery } from "../hub/redirect";
import { partnerApiFor } from "../hub-config/connection";
import { logger } from "../log";
import { recordFunnelEvent } from "./funnel";
import { linkSession } from "./link-session";
import { failure, type OnboardingFailure, type OnboardingFailureCode } from "./outcomes";
import { hashToken, readBrowserBinding, sameHash, statusPathFor } from "./tokens";
import { verifyRedirect, type Verdict } from "./verify-redirect";
import { endSession } from "./session-events";

// The redirect back from 360dialog (docs/onboarding-redirect.md): `?client=…&channels=[…]&revoked=[…]` and, when
// 360dialog echoes it, `&state=…`, handed over by the redirect page (popup or not) or by the page hosting the
// Connect Button. The session is found by `state` or, without it, as the newest open session of this browser
// (its binding cookie); it is consumed once; then the Partner API says what may be linked (verify-redirect.ts)
// and only that is linked. Whatever the query named beyond it is logged and ignored.
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

/** The session a redirect belongs to: by its `state`, else the newest one this browser started. */
async function sessionFor(db: Database, state: string | null, bindingHash: string | null): Promise<OnboardingSession | OnboardingFailureCode> {
  if (state !== null) {
    const session = await findSessionByStateHash({ db, stateHash: hashToken(state) });
    return !session || session.method === "embedded_signup" ? "state_unknown" : session;
  }
  if (bindingHash === null) return "state_missing";
  return (await findNewestSessionForBrowser({ db, browserBindingHash: bindingHash })) ?? "state_missing";
}

export async function completeOnboarding(
  input: { query: string; browserBinding: string | null | undefined; ip: string },
  deps: CompletionDeps = {},
): Promise<CompletionResult> {
  const parsed = parseRedirectQuery(typeof input.query === "string" ? input.query : "");
  if (!parsed.ok) return refuse("bad_query", { reason: parsed.error.code, ip: input.ip });
  const { clientId, channels, revoked, state } = parsed.value;

  const db = await getDb();
  const binding = readBrowserBinding(input.browserBinding);
  const bindingHash = binding ? hashToken(binding) : null;
  const session = await sessionFor(db, state, bindingHash);
  if (typeof session === "string") return refuse(session, { ip: input.ip, withState: state !== null });
  const refusal = refusalFor(session, bindingHash);
  if (refusal) {
    if (refusal === "state_expired" && (session.status === "started" || session.status === "redirected")) {
      await endSession(db, session, { status: "expired" });
    }
    return refuse(refusal, { sessionId: session.id, ip: input.ip });
  }

  // One-time use: only one caller gets the row back, however many arrive at once.
  const consumed = await consumeSession({
    db,
    id: session.id,
    browserBindingHash: bindingHash!,
    set: { status: "redirected", clientExternalId: null, channelExternalIds: [], revokedExternalIds: [], error: null },
  });
  if (!consumed) return refuse("state_reused", { sessionId: session.id, ip: input.ip });
  await recordFunnelEvent(db, { hubId: session.hubId, sessionId: session.id, inviteId: session.inviteId, kind: "redirect_received", detail: { channels: channels.length, revoked: revoked.length, state: state !== null } });

  const hub = await findHubById({ db, id: session.hubId });
  let verdict: Verdict;
  try {
    if (!hub) throw new Error("hub of the session is gone");
    const api = (deps.partnerApi ?? partnerApiFor)(hub);
    verdict = await verifyRedirect({ db, api, hub, session: consumed, claim: { clientId, channels, revoked }, skewMs: getEnv().ONBOARDING_CLOCK_SKEW_SECONDS * 1000 });
  } catch (error) {
    // Nothing was confirmed: hand the session back to this browser so it can retry (still bound to it).
    await updateSession({ db, id: session.id, set: { consumedAt: null, error: "hub_unavailable" } });
    log().error({ sessionId: session.id, err: error instanceof Error ? error.message : "failed" }, "onboarding redirect: hub confirmation failed");
    return { ok: false, error: failure("hub_unavailable") };
  }
  const { ignored } = verdict;
  if (ignored.client !== null || ignored.channels.length > 0 || ignored.revoked.length > 0) {
    log().warn({ sessionId: session.id, method: session.method, ignored, ip: input.ip }, "onboarding redirect: ignored what 360dialog does not confirm for this session");
  }

  if (!verdict.ok) {
    await endSession(db, session, { status: "failed", error: verdict.code, clientExternalId: null, channelExternalIds: [], revokedExternalIds: [] });
    return refuse(verdict.code, { sessionId: session.id, ip: input.ip });
  }

  await linkSession({ hub: hub!, session: consumed, client: verdict.client, channels: verdict.channels, permissions: verdict.permissions, event: "onboarding_redirect" });
  log().info({ sessionId: session.id, channels: verdict.channels.length, withState: state !== null }, "onboarding completed");
  return { ok: true, sessionId: session.id, statusUrl: statusPathFor(session.id) };
}
