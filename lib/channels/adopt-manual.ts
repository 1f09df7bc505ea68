import "server-only";
import { deleteChannelByExternalId, findChannelsByPhone, updateChannel } from "@/db/queries/channel-store";
import type { Executor } from "@/db/client";
import type { Hub } from "@/db/schema";
import { phoneVariants } from "./phone";

/**
 * A number added by hand without its channel ID (lib/channels/manual.ts) that 360dialog now reports under this
 * partner: the hand-made row takes the real ID instead of a second row appearing, so its stored key (the
 * client's own) stays the number's key and no new one is generated, which would revoke it (docs/security.md F6). Asked only when
 * the snapshot's ID was new (lifecycle.ts drops the placeholder row it just inserted), so known numbers pay
 * nothing. Returns whether a hand-made row was adopted.
 */
export async function adoptManualChannel(tx: Executor, hub: Hub, snap: { externalId: string; phoneNumber?: string }): Promise<boolean> {
  if (!snap.phoneNumber) return false;
  const manual = (await findChannelsByPhone({ db: tx, hubId: hub.id, phoneNumbers: phoneVariants(snap.phoneNumber) })).find(
    (c) => c.source === "manual" && c.externalId.startsWith("manual-"),
  );
  if (!manual) return false;
  await deleteChannelByExternalId({ db: tx, hubId: hub.id, externalId: snap.externalId });
  await updateChannel({ db: tx, id: manual.id, set: { externalId: snap.externalId } });
  return true;
}
