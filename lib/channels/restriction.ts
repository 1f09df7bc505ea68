import "server-only";
import { insertChannelEvent } from "@/db/queries/channel-events";
import { lockChannelById } from "@/db/queries/channel-store";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";
import { publishChange } from "../live/publish";
import type { ChannelDeps } from "./api-keys";
import { saveChannel } from "./events";

/**
 * Staff mark a restriction resolved: 360dialog documents no event for a lifted restriction
 * (docs/channel-lifecycle.md §2), so a person who checked WhatsApp Manager says so. The flags keep the history.
 */
export async function resolveRestriction(actor: Actor, channelId: string, deps: Pick<ChannelDeps, "db"> = {}): Promise<void> {
  const db = deps.db ?? (await getDb());
  await db.transaction(async (tx) => {
    const channel = await lockChannelById({ db: tx, id: channelId });
    if (!channel) throw new AppError("not_found:channel", "That number does not exist.");
    if (!channel.restricted) throw new AppError("conflict:channel_not_restricted", "This number is not marked restricted.");
    const at = new Date();
    const flags = { ...channel.flags, restriction_resolved: { at: at.toISOString(), by: actor.email } };
    await saveChannel(tx, channel, { restricted: false, flags });
    await insertChannelEvent({
      db: tx,
      event: { hubId: channel.hubId, channelId: channel.id, event: "restriction_resolved", status: channel.status, source: "user", data: { by: actor.email }, occurredAt: at },
    });
    await audit(tx, { actor, action: "channel.restriction_resolved", targetType: "channel", targetId: channel.id, hubId: channel.hubId });
    await publishChange(tx, { topic: "channel", id: channel.id, hubId: channel.hubId, clientId: channel.clientId ?? undefined });
  });
}
