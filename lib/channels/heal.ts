import "server-only";
import { randomUUID } from "node:crypto";
import { findNewestPermissionGrant, findNewestStoredKey, findActiveApiKey, restoreRevokedKey } from "@/db/queries/api-keys";
import { insertChannelEvent } from "@/db/queries/channel-events";
import { lockChannelById } from "@/db/queries/channel-store";
import type { Database } from "@/db/client";
import type { Channel, Hub } from "@/db/schema";
import { audit } from "../audit";
import { createMessagingApi } from "../hub/messaging-api";
import { enqueueJob } from "../jobs/enqueue";
import { publishChange } from "../live/publish";
import { logger } from "../log";
import { RUNNING_RANK } from "../hub/events";
import { openStoredKey, type ChannelDeps } from "./api-keys";
import { applyPermission } from "./permissions";
import { saveChannel } from "./events";

// Undoing a withdrawal that 360dialog does not confirm (docs/onboarding-redirect.md). A permission marked
// "revoked" here while 360dialog says the number is shared (direct payment), or on a partner-payment hub where
// the partner holds every key by default, came from something the portal should not have believed. Generating a
// new key would revoke the one the client is using (a new key revokes the old ones), so the stored key is asked
// first: if 360dialog still accepts it, it was never revoked and becomes active again.

export type HealOutcome = "restored" | "granted" | "unchanged";

/** The grant time that makes the channel's current grant the one its restored key answers. */
async function grantTimeFor(db: Database, channelId: string, keyGrant: string): Promise<Date | null> {
  const grant = keyGrant.startsWith("perm:") ? keyGrant : await findNewestPermissionGrant({ db, channelId });
  const at = grant ? new Date(grant.slice("perm:".length)) : null;
  return at && !Number.isNaN(at.getTime()) ? at : null;
}

/**
 * Heals one channel whose permission is "revoked" although 360dialog has it shared. Returns what it did; throws
 * only when the database fails. A key check that cannot be made leaves everything as it is for the next run.
 */
export async function healWithdrawnPermission(db: Database, hub: Hub, channel: Channel, deps: ChannelDeps = {}): Promise<HealOutcome> {
  const log = logger("channels");
  if (channel.permission !== "revoked") return "unchanged";
  const key = await findNewestStoredKey({ db, channelId: channel.id });
  let accepted = false;
  if (key && key.status === "revoked" && !(await findActiveApiKey({ db, channelId: channel.id }))) {
    try {
      const messaging = (deps.messagingApi ?? createMessagingApi)({ baseUrl: key.address ?? hub.messagingBaseUrl, apiKey: openStoredKey(key) });
      accepted = await messaging.checkApiKey();
    } catch (error) {
      log.warn({ hubId: hub.id, channelId: channel.id, err: error instanceof Error ? error.message : "failed" }, "heal: the stored key could not be checked; left for the next run");
      return "unchanged";
    }
  }

  if (key && accepted) {
    const grantAt = hub.paymentMode === "direct" ? await grantTimeFor(db, channel.id, key.grantId) : channel.permissionChangedAt;
    const restored = await db.transaction(async (tx) => {
      const current = await lockChannelById({ db: tx, id: channel.id });
      if (!current || current.permission !== "revoked") return false;
      if (!(await restoreRevokedKey({ db: tx, id: key.id, channelId: channel.id }))) return false;
      const updated = await saveChannel(tx, current, { permission: "granted", permissionChangedAt: grantAt ?? current.permissionChangedAt });
      await insertChannelEvent({
        db: tx,
        event: { hubId: hub.id, channelId: channel.id, event: "permission_restored", status: updated.status, source: "reconcile", data: { keyVersion: key.keyVersion }, occurredAt: new Date() },
      });
      await audit(
        tx,
        {
          actor: "system",
          action: "channel.permission_restored",
          targetType: "channel",
          targetId: channel.id,
          hubId: hub.id,
          detail: { externalId: channel.externalId, keyVersion: key.keyVersion, last4: key.last4, why: "360dialog still accepts the key and lists the number as shared" },
        },
      );
      await publishChange(tx, { topic: "channel", id: channel.id, hubId: hub.id, clientId: updated.clientId ?? undefined });
      await publishChange(tx, { topic: "api_key", id: key.id, hubId: hub.id });
      return true;
    });
    if (restored) {
      log.info({ hubId: hub.id, channelId: channel.id }, "heal: permission and key restored");
      return "restored";
    }
    return "unchanged";
  }

  // The key is gone at 360dialog too (or there never was one): give the permission back and let a new key come.
  await db.transaction(async (tx) => {
    const current = await lockChannelById({ db: tx, id: channel.id });
    if (!current || current.permission !== "revoked") return;
    const { channel: granted, provisionJobId } = await applyPermission(tx, hub, current, { granted: true, source: "reconcile", actor: "system" });
    // Partner payment has one implicit grant whose key was marked revoked: a new grant is needed for a new key.
    if (!provisionJobId && hub.paymentMode === "partner" && granted.statusRank >= RUNNING_RANK && !(await findActiveApiKey({ db: tx, channelId: channel.id }))) {
      const grantId = `restore:${randomUUID()}`;
      await enqueueJob(tx, { kind: "api_key.provision", payload: { channelId: channel.id, grantId }, uniqueKey: `api_key:${channel.id}:${grantId}` });
    }
  });
  return "granted";
}
