import "server-only";
import type { Executor } from "@/db/client";
import { findSessionsWithChannel, otherSessionHoldsClient } from "@/db/queries/onboarding";
import type { Hub, OnboardingSession } from "@/db/schema";
import type { PartnerApi } from "../hub/partner-api";
import type { Client as HubClient, PartnerChannel } from "../hub/types";
import { fromStoredPrefill } from "./prefill";

// What a redirect back from 360dialog may change (docs/onboarding-redirect.md). Its query is a hint that says
// "look now": which client and numbers belong to the session, and which numbers the client has shared, are read
// from the Partner API and from the portal's own records, never taken from the query.
//
// - A new-number session links only a client and numbers that 360dialog reports as created after the session
//   started (less a clock skew) and that no other session holds. The query may narrow the numbers, never widen.
// - A permission session links only the client it was opened for (the invite names it).
// - Permissions change only on direct-payment hubs, and only as `shared_client_numbers` says, for numbers of that
//   client. On partner-payment hubs the partner has every key by default, so `revoked` means nothing.

export type RedirectClaim = { clientId: string | null; channels: string[]; revoked: string[] };

/** Permission as the Partner API reports it: numbers with an explicit `true` or `false`; unknown ones are left alone. */
export type SharedPermissions = { granted: PartnerChannel[]; revoked: PartnerChannel[] };

/** What the query named that was not applied, for the log (360dialog ids only, no personal data). */
export type Ignored = { client: string | null; channels: string[]; revoked: string[] };

export type Verdict =
  | { ok: true; client: HubClient; channels: PartnerChannel[]; permissions: SharedPermissions | null; ignored: Ignored }
  | { ok: false; code: "client_not_ours" | "client_not_expected"; ignored: Ignored };

export type VerifyInput = {
  db: Executor;
  api: PartnerApi;
  hub: Hub;
  session: OnboardingSession;
  claim: RedirectClaim;
  /** How much earlier than the session's start a 360dialog `created_at` may read (the clocks differ). */
  skewMs: number;
};

function timeOf(value: string | undefined): number | null {
  const at = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? null : at;
}

/** The client's numbers as 360dialog lists them; a number whose owner is not stated is not the client's. */
export async function channelsOfClient(api: PartnerApi, clientId: string): Promise<PartnerChannel[]> {
  const out: PartnerChannel[] = [];
  // The hub may treat a filter loosely, so the owner of each number is checked again here.
  for await (const channel of api.listAllChannels({ client_id: clientId })) {
    if ((channel.clientId ?? channel.client?.id) === clientId) out.push(channel);
  }
  return out;
}

/** Reads what the client has shared with the partner, for these numbers only. Throws when 360dialog cannot say. */
export async function sharedPermissions(api: PartnerApi, clientId: string, numbers: PartnerChannel[]): Promise<SharedPermissions> {
  const answer = await api.listSharedClientNumbers(clientId);
  const byId = new Map(answer.flatMap((n) => (n.channelId !== undefined && typeof n.shared === "boolean" ? [[n.channelId, n.shared] as const] : [])));
  return {
    granted: numbers.filter((n) => byId.get(n.id) === true),
    revoked: numbers.filter((n) => byId.get(n.id) === false),
  };
}

async function heldByAnotherSession(db: Executor, hub: Hub, session: OnboardingSession, channelId: string): Promise<boolean> {
  const holders = await findSessionsWithChannel({ db, hubId: hub.id, channelExternalId: channelId });
  return holders.some((s) => s.id !== session.id && (s.status === "completed" || s.status === "redirected"));
}

async function verifyNewNumber(input: VerifyInput, clientId: string): Promise<Verdict> {
  const { db, api, hub, session, claim } = input;
  const client = await api.getClient(clientId);
  if (!client) return { ok: false, code: "client_not_ours", ignored: { client: clientId, channels: claim.channels, revoked: claim.revoked } };

  const since = session.createdAt.getTime() - input.skewMs;
  const listed = await channelsOfClient(api, client.id);
  const fresh: PartnerChannel[] = [];
  for (const channel of listed) {
    const created = timeOf(channel.createdAt);
    if (created === null || created < since) continue;
    if (await heldByAnotherSession(db, hub, session, channel.id)) continue;
    fresh.push(channel);
  }
  // The query narrows (the numbers of this visit when the client made several sessions at once), never widens.
  const chosen = claim.channels.length > 0 ? fresh.filter((c) => claim.channels.includes(c.id)) : fresh;
  const clientCreated = timeOf(client.createdAt);
  const clientIsNew =
    clientCreated !== null && clientCreated >= since && !(await otherSessionHoldsClient({ db, hubId: hub.id, clientExternalId: client.id, exceptId: session.id }));
  const ignored: Ignored = { client: null, channels: claim.channels.filter((id) => !chosen.some((c) => c.id === id)), revoked: claim.revoked };
  if (chosen.length === 0 && !clientIsNew) return { ok: false, code: "client_not_expected", ignored: { ...ignored, client: clientId } };

  const permissions = hub.paymentMode === "direct" && chosen.length > 0 ? await sharedPermissions(api, client.id, chosen) : null;
  return { ok: true, client, channels: chosen, permissions, ignored };
}

async function verifyPermission(input: VerifyInput): Promise<Verdict> {
  const { api, hub, session, claim } = input;
  const target = fromStoredPrefill(session.prefill).clientId;
  const named = claim.clientId !== null && claim.clientId !== target ? claim.clientId : null;
  // An invite without a client cannot say whose permission it asked for: nothing in the query can stand in.
  if (!target) return { ok: false, code: "client_not_expected", ignored: { client: claim.clientId, channels: claim.channels, revoked: claim.revoked } };
  const client = await api.getClient(target);
  if (!client) return { ok: false, code: "client_not_ours", ignored: { client: named, channels: claim.channels, revoked: claim.revoked } };
  const numbers = await channelsOfClient(api, client.id);
  const permissions = hub.paymentMode === "direct" ? await sharedPermissions(api, client.id, numbers) : null;
  const known = new Set(numbers.map((n) => n.id));
  return {
    ok: true,
    client,
    // The status page lists what this visit left shared; on partner payment every number is.
    channels: permissions ? permissions.granted : numbers,
    permissions,
    ignored: { client: named, channels: claim.channels.filter((id) => !known.has(id)), revoked: claim.revoked.filter((id) => !known.has(id)) },
  };
}

/** The Partner API's answer to a redirect for this session (see the top of this file). */
export async function verifyRedirect(input: VerifyInput): Promise<Verdict> {
  if (input.session.method === "permission") return verifyPermission(input);
  if (input.claim.clientId === null) {
    return { ok: false, code: "client_not_expected", ignored: { client: null, channels: input.claim.channels, revoked: input.claim.revoked } };
  }
  return verifyNewNumber(input, input.claim.clientId);
}
