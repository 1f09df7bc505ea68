import "server-only";
import type { Executor } from "@/db/client";
import { updateChannel, type NewChannel } from "@/db/queries/channel-store";
import type { Channel } from "@/db/schema";
import { emitEvent } from "../events/emit";
import { isRunning } from "../hub/events";

/**
 * Every change of a number that the partner's platform and the alerts hear of (docs/events.md §2), derived from the
 * row before and after, so no code path that moves a number can forget one. Call it in the transaction of the change.
 */
export async function emitChannelChanges(tx: Executor, before: Channel | null, after: Channel): Promise<void> {
  const base = { hubId: after.hubId, subjectId: after.id };
  if (before === null) {
    await emitEvent(tx, { ...base, type: "channel.created", data: { status: after.status } });
    return;
  }
  if (before.status !== after.status) {
    await emitEvent(tx, { ...base, type: "channel.status_changed", data: { from: before.status, to: after.status } });
    if (!isRunning(before) && isRunning(after)) await emitEvent(tx, { ...base, type: "channel.running", data: { status: after.status } });
  }
  if (before.permission !== after.permission) {
    await emitEvent(tx, { ...base, type: "channel.permission_changed", data: { from: before.permission, to: after.permission } });
  }
  const newRestriction = after.restricted && (!before.restricted || after.restrictedAt?.getTime() !== before.restrictedAt?.getTime());
  if (newRestriction) {
    const { account_violation: violation, account_restriction: restriction } = after.flags as Record<string, unknown>;
    await emitEvent(tx, { ...base, type: "channel.restricted", data: { violation: violation ?? null, restriction: restriction ?? null } });
  }
  if (before.cancellation !== "cancelled" && after.cancellation === "cancelled") {
    await emitEvent(tx, { ...base, type: "channel.cancelled", data: { cancelled_at: after.cancelledAt?.toISOString() ?? null } });
  }
}

/** updateChannel, then the events its change implies (above). The row passed is the one locked before the change. */
export async function saveChannel(tx: Executor, before: Channel, set: Partial<NewChannel>): Promise<Channel> {
  const after = await updateChannel({ db: tx, id: before.id, set });
  await emitChannelChanges(tx, before, after);
  return after;
}
