import "server-only";
import { updateSession } from "@/db/queries/onboarding";
import type { Hub, OnboardingSession } from "@/db/schema";
import { audit } from "../audit";
import { applyChannelSnapshot, clientOfChannel, eventTimeOf } from "../channels/lifecycle";
import { applyPermission } from "../channels/permissions";
import { dateOf } from "../dates";
import { getDb } from "../db";
import { isRunning } from "../hub/events";
import type { PartnerApi } from "../hub/partner-api";
import type { Client as HubClient, PartnerChannel } from "../hub/types";
import { publishChange } from "../live/publish";
import { recordFunnelEvent } from "./funnel";
import { channelsOfClient, type SharedPermissions } from "./verify-redirect";
import { storeClient } from "../channels/store-client";
import { emitSessionCompleted } from "./session-events";

// Linking what 360dialog confirmed to an onboarding session. What a redirect may link is decided in
// verify-redirect.ts; Embedded Signup confirms the numbers that account sharing produced with confirmWithHub.

export type Confirmation =
  | { ok: true; client: HubClient; channels: PartnerChannel[] }
  | { ok: false; code: "client_not_ours" | "channel_not_ours"; unknownChannels: number };

/** Asks the Partner API whether `clientId` is a client of this partner and every listed channel one of its numbers. */
export async function confirmWithHub(api: PartnerApi, clientId: string, channelIds: string[]): Promise<Confirmation> {
  const client = await api.getClient(clientId);
  if (!client) return { ok: false, code: "client_not_ours", unknownChannels: channelIds.length };
  const listed = new Map((channelIds.length > 0 ? await channelsOfClient(api, clientId) : []).map((c) => [c.id, c]));
  const unknown = channelIds.filter((id) => !listed.has(id));
  if (unknown.length > 0) return { ok: false, code: "channel_not_ours", unknownChannels: unknown.length };
  return { ok: true, client, channels: channelIds.map((id) => listed.get(id)!) };
}

function snapshotOf(channel: PartnerChannel) {
  return {
    externalId: channel.id,
    client: clientOfChannel(channel.raw, channel.clientId),
    status: channel.status,
    phoneNumber: channel.phoneNumber,
    displayName: channel.phoneName,
    wabaId: channel.wabaAccountId,
    accountMode: channel.accountMode,
    raw: channel.raw,
  };
}

export type LinkRequest = {
  hub: Hub;
  session: OnboardingSession;
  client: HubClient;
  channels: PartnerChannel[];
  /**
   * Direct payment: what 360dialog says the client has shared (verify-redirect.ts), applied as is; null leaves
   * every permission alone (partner payment, or nothing to ask).
   */
  permissions: SharedPermissions | null;
  /** Name of the channel history entry, e.g. "onboarding_redirect". */
  event: string;
};

/**
 * Upserts the confirmed client and channels exactly as a Partner API listing would (forward-only status), sets
 * the permissions 360dialog reported, and marks the session completed: all in one transaction.
 */
export async function linkSession(request: LinkRequest): Promise<OnboardingSession> {
  const { hub, session, client } = request;
  const db = await getDb();
  return db.transaction(async (tx) => {
    const stored = await storeClient(tx, hub.id, {
      externalId: client.id,
      name: client.name,
      email: client.email,
      status: client.status,
      partnerPayload: client.partnerPayload,
      hubCreatedAt: dateOf(client.createdAt),
      raw: client.raw,
    });
    await recordFunnelEvent(tx, { hubId: hub.id, sessionId: session.id, inviteId: session.inviteId, kind: "client_confirmed", detail: { channels: request.channels.length } });
    // The channel's own time, so a later webhook about the same moment still counts as news (docs/security.md R7).
    const contextOf = (channel: { raw: Record<string, unknown> }) => ({
      event: request.event,
      occurredAt: eventTimeOf(channel.raw, new Date()),
      source: "io" as const,
      history: "always" as const,
    });

    const granted = new Set(request.permissions?.granted.map((c) => c.id) ?? []);
    for (const channel of request.channels) {
      const { channel: row } = await applyChannelSnapshot(tx, hub, snapshotOf(channel), contextOf(channel));
      const permitted = granted.has(channel.id) ? (await applyPermission(tx, hub, row, { granted: true, source: "redirect", actor: "system" })).channel : row;
      await recordFunnelEvent(tx, { hubId: hub.id, sessionId: session.id, inviteId: session.inviteId, kind: "channel_created", detail: { channelId: channel.id } });
      if (isRunning(permitted)) {
        await recordFunnelEvent(tx, { hubId: hub.id, sessionId: session.id, inviteId: session.inviteId, kind: "channel_running", detail: { channelId: channel.id } });
      }
      await publishChange(tx, { topic: "channel", id: row.id, hubId: hub.id, sessionId: session.id, clientId: stored.client.id });
    }
    const withdrawn: PartnerChannel[] = [];
    for (const channel of request.permissions?.revoked ?? []) {
      const { channel: row } = await applyChannelSnapshot(tx, hub, snapshotOf(channel), contextOf(channel));
      // Only a permission that was given can be withdrawn: a number never shared stays "unknown", not "revoked".
      if (row.permission !== "granted") continue;
      await applyPermission(tx, hub, row, { granted: false, source: "redirect", actor: "system" });
      withdrawn.push(channel);
    }

    const linked = await updateSession({
      db: tx,
      id: session.id,
      set: {
        status: "completed",
        clientId: stored.client.id,
        clientExternalId: client.id,
        channelExternalIds: request.channels.map((c) => c.id),
        revokedExternalIds: withdrawn.map((c) => c.id),
        error: null,
      },
    });
    if (!linked) throw new Error("linkSession: session vanished");
    await emitSessionCompleted(tx, linked);
    // No personal data in the audit: ids and counts only.
    await audit(
      tx,
      {
        actor: "system",
        action: "onboarding.completed",
        targetType: "onboarding_session",
        targetId: session.id,
        hubId: hub.id,
        detail: { sessionId: session.id, method: session.method, clientId: client.id, channelCount: request.channels.length, revokedCount: withdrawn.length },
      },
    );
    await publishChange(tx, { topic: "session", id: session.id, hubId: hub.id, sessionId: session.id, clientId: stored.client.id });
    if (session.inviteId) await publishChange(tx, { topic: "invite", id: session.inviteId, hubId: hub.id });
    return linked;
  });
}
