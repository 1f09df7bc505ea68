import "server-only";
import { revokeActiveKeys } from "@/db/queries/api-keys";
import { insertChannelEvent } from "@/db/queries/channel-events";
import { insertChannelIfAbsent, lockChannelByExternalId } from "@/db/queries/channel-store";
import { findHubById } from "@/db/queries/hubs";
import type { Executor } from "@/db/client";
import type { Channel, Hub } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";
import { publishChange } from "../live/publish";
import { enqueueProvisionIfDue, type ChannelDeps } from "./api-keys";
import { emitChannelChanges, saveChannel } from "./events";

export type PermissionSource = "redirect" | "webhook" | "reconcile";

export type PermissionChange = {
  granted: boolean;
  source: PermissionSource;
  actor: Actor | "system";
  /** When the client gave or withdrew it: the event time for webhooks, now otherwise. */
  at?: Date;
  webhookEventId?: string;
  /** false when the caller already wrote the history row for the event that carried the change. */
  history?: boolean;
};

export type PermissionResult = { channel: Channel; changed: boolean; provisionJobId: string | null };

/**
 * Sets API-key permission on a locked channel row. Only a real change moves permission_changed_at, so repeated
 * or concurrent grants (webhook, redirect, a variant duplicate) keep one grant id and so one key (docs/security.md R6).
 */
export async function applyPermission(tx: Executor, hub: Hub, channel: Channel, change: PermissionChange): Promise<PermissionResult> {
  const target = change.granted ? "granted" : "revoked";
  if (channel.permission === target) {
    return { channel, changed: false, provisionJobId: change.granted ? await enqueueProvisionIfDue(tx, hub, channel) : null };
  }
  const at = change.at ?? new Date();
  const updated = await saveChannel(tx, channel, { permission: target, permissionChangedAt: at });
  // Withdrawing permission makes 360dialog stop the number's key: our copy is dead too.
  const revoked = change.granted ? [] : await revokeActiveKeys({ db: tx, channelId: channel.id });
  if (change.history !== false) {
    await insertChannelEvent({
      db: tx,
      event: {
        hubId: hub.id,
        channelId: channel.id,
        event: `permission_${target}`,
        status: updated.status,
        source: change.source,
        webhookEventId: change.webhookEventId,
        data: { previous: channel.permission },
        occurredAt: at,
      },
    });
  }
  await audit(
    tx,
    {
      actor: change.actor,
      action: `channel.permission_${target}`,
      targetType: "channel",
      targetId: channel.id,
      hubId: hub.id,
      detail: { source: change.source, externalId: channel.externalId, previous: channel.permission, revokedKeys: revoked.length },
    },
  );
  await publishChange(tx, { topic: "channel", id: channel.id, hubId: hub.id, clientId: updated.clientId ?? undefined });
  return { channel: updated, changed: true, provisionJobId: change.granted ? await enqueueProvisionIfDue(tx, hub, updated) : null };
}

const sourceOfRow = { redirect: "io", webhook: "webhook", reconcile: "reconcile" } as const;

/**
 * Grants or withdraws API-key permission for one channel (redirect `channels`/`revoked` lists, webhooks,
 * reconciliation). The caller has confirmed the channel belongs to the hub (docs/security.md R12). A channel not seen before gets
 * its row now; webhooks or reconciliation fill in the rest.
 */
export async function setChannelPermission(
  input: { hubId: string; externalChannelId: string } & Omit<PermissionChange, "history">,
  deps: ChannelDeps = {},
): Promise<PermissionResult> {
  const db = deps.db ?? (await getDb());
  const hub = await findHubById({ db, id: input.hubId });
  if (!hub) throw new AppError("not_found:hub", "That hub no longer exists.");
  return db.transaction(async (tx) => {
    const { inserted } = await insertChannelIfAbsent({ db: tx, hubId: hub.id, externalId: input.externalChannelId, source: sourceOfRow[input.source] });
    const channel = await lockChannelByExternalId({ db: tx, hubId: hub.id, externalId: input.externalChannelId });
    if (!channel) throw new Error("setChannelPermission: channel row vanished");
    if (inserted) await emitChannelChanges(tx, null, channel);
    return applyPermission(tx, hub, channel, input);
  });
}
