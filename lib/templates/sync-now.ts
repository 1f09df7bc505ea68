import "server-only";
import { findChannelById } from "@/db/queries/channel-store";
import { listHubs } from "@/db/queries/hubs";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";
import { enqueueChannelSync, enqueueHubSync } from "./sync-jobs";

/** Queues a sync now; the jobs record every change and the pages follow live. */
export async function requestTemplateSync(actor: Actor, target: { channelId: string } | { hubId?: string }): Promise<{ queued: number; message: string }> {
  const db = await getDb();
  if ("channelId" in target) {
    const channel = await findChannelById({ db, id: target.channelId });
    if (!channel) throw new AppError("not_found:channel", "That number does not exist.");
    await db.transaction(async (tx) => {
      await enqueueChannelSync(tx, { channelId: channel.id, requestedBy: actor.id, reason: "manual" });
      await audit(tx, { actor, action: "template.sync_requested", targetType: "channel", targetId: channel.id, hubId: channel.hubId, detail: {} });
    });
    return { queued: 1, message: "Sync started for this number." };
  }
  const hubs = (await listHubs({ db })).filter((h) => !target.hubId || h.id === target.hubId);
  if (hubs.length === 0) throw new AppError("not_found:hub", "No such hub.");
  await db.transaction(async (tx) => {
    for (const hub of hubs) {
      await enqueueHubSync(tx, { hubId: hub.id, scope: "all", requestedBy: actor.id });
      await audit(tx, { actor, action: "template.sync_requested", targetType: "hub", targetId: hub.id, hubId: hub.id, detail: { scope: "all" } });
    }
  });
  return { queued: hubs.length, message: `Sync started for every number with a key${hubs.length > 1 ? ` in ${hubs.length} hubs` : ""}.` };
}
