import "server-only";
import { countChannelsByStatus } from "@/db/queries/channel-list";
import { listHubs } from "@/db/queries/hubs";
import { listStuckChannels } from "../channels/stuck";
import { getDb } from "../db";

export async function loadOverview() {
  const db = await getDb();
  const [stuck, counts, hubs] = await Promise.all([listStuckChannels({ limit: 50 }), countChannelsByStatus({ db }), listHubs({ db })]);
  return { stuck, counts, hubs: hubs.map((h) => ({ id: h.id, name: h.name })) };
}
