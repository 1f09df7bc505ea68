import "server-only";
import { z } from "zod";
import { listChannelTimeline } from "@/db/queries/channel-list";
import { getClientDetail } from "@/db/queries/client-list";
import { findChannelById } from "@/db/queries/channel-store";
import { findHubById } from "@/db/queries/hubs";
import { maskedKeyFor } from "../channels/api-keys";
import { listStuckChannels } from "../channels/stuck";
import { getDb } from "../db";

/** Everything the channel page shows: the number, its client, key mask, stuck state and history. */
export async function loadChannelDetail(id: string) {
  if (!z.uuid().safeParse(id).success) return null;
  const db = await getDb();
  const channel = await findChannelById({ db, id });
  if (!channel) return null;
  const [hub, key, timeline, stuck, client] = await Promise.all([
    findHubById({ db, id: channel.hubId }),
    maskedKeyFor(id),
    listChannelTimeline({ db, channelIds: [id] }),
    // Asked about this number alone: the hub's oldest entries need not include it (a hub may hold thousands).
    listStuckChannels({ hubId: channel.hubId, limit: 50, channelIds: [id] }),
    channel.clientId ? getClientDetail({ db, id: channel.clientId }) : Promise.resolve(undefined),
  ]);
  return {
    channel,
    hubName: hub?.name ?? "",
    paymentMode: hub?.paymentMode ?? "partner",
    clientName: client?.client.name ?? null,
    key,
    timeline,
    stuck,
  };
}
