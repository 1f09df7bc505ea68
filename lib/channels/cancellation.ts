import "server-only";
import { revokeActiveKeys } from "@/db/queries/api-keys";
import { type NewChannel } from "@/db/queries/channel-store";
import type { Executor } from "@/db/client";
import type { Channel, Hub } from "@/db/schema";
import { dateOf } from "../dates";
import { statusRank, type CancellationEvent } from "../hub/events";
import { isRecord } from "../hub/json";
import { publishChange } from "../live/publish";
import { saveChannel } from "./events";

// The end of a number (docs/channel-lifecycle.md §1): cancellation requested (the number keeps working until
// `terminated_at`), revoked (back to what it was), processed (cancelled: its keys are revoked, nothing is made
// for it again). Kept in `channels.cancellation` beside 360dialog's own status string.

export type CancellationInput = {
  event: CancellationEvent;
  occurredAt: Date;
  /** 360dialog's `terminated_at`, as sent. */
  terminatedAt?: string;
  /** The status before the event's snapshot was applied: what a revoke returns to. */
  statusBefore: string;
};

export type CancellationOutcome = { channel: Channel; applied: boolean; effect: string };

type Memo = { requestedAt?: string; revokedAt?: string; statusBefore?: string };

const memoOf = (channel: Channel): Memo => {
  const m = channel.flags.cancellation;
  return isRecord(m) ? { requestedAt: str(m.requestedAt), revokedAt: str(m.revokedAt), statusBefore: str(m.statusBefore) } : {};
};
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const before = (iso: string | undefined, at: Date) => iso !== undefined && at.getTime() < Date.parse(iso);

/**
 * Applies one cancellation event to a channel the caller has locked (applyChannelSnapshot did). Deliveries may
 * come out of order: a request older than the last revoke, or a revoke older than the request, is history only;
 * a cancelled number stays cancelled.
 */
export async function applyCancellation(tx: Executor, hub: Hub, channel: Channel, input: CancellationInput): Promise<CancellationOutcome> {
  const memo = memoOf(channel);
  const at = input.occurredAt;
  const terminatesAt = dateOf(input.terminatedAt);
  let set: Partial<NewChannel> | null = null;
  let effect: string;

  if (input.event === "cancellation_processed") {
    if (channel.cancellation === "cancelled") effect = "already cancelled";
    else {
      set = { cancellation: "cancelled", cancelledAt: at, terminatesAt: terminatesAt ?? channel.terminatesAt ?? at };
      effect = "channel cancelled";
    }
  } else if (channel.cancellation === "cancelled") {
    effect = `${input.event} after the number was cancelled: history only`;
  } else if (input.event === "cancellation_request") {
    if (before(memo.revokedAt, at)) effect = "cancellation request older than its revoke: history only";
    else {
      const statusBefore = channel.cancellation === "requested" ? (memo.statusBefore ?? input.statusBefore) : input.statusBefore;
      set = {
        cancellation: "requested",
        cancellationRequestedAt: at,
        terminatesAt: terminatesAt ?? null,
        flags: { ...channel.flags, cancellation: { ...memo, requestedAt: at.toISOString(), statusBefore } },
      };
      effect = terminatesAt ? `cancellation requested, effective ${terminatesAt.toISOString()}` : "cancellation requested";
    }
  } else {
    if (before(memo.requestedAt, at)) effect = "cancellation revoke older than the request: history only";
    else if (channel.cancellation !== "requested") effect = "cancellation revoked (none was pending)";
    else {
      set = {
        cancellation: null,
        cancellationRequestedAt: null,
        terminatesAt: null,
        flags: { ...channel.flags, cancellation: { ...memo, revokedAt: at.toISOString() } },
      };
      // Back to the previous state: if the request's payload put an unknown status string in place of a known
      // one (the hub UI shows "Pending deletion"; its wire value is not documented) and the revoke names no
      // known status, the status from before the request returns.
      if (statusRank(channel.status) === null && memo.statusBefore && statusRank(memo.statusBefore) !== null) set.status = memo.statusBefore;
      effect = "cancellation revoked";
    }
  }

  let updated = channel;
  if (set) {
    updated = await saveChannel(tx, channel, set);
    if (set.cancellation === "cancelled") {
      // The number can no longer send: its keys are of no use to anyone (docs/channel-lifecycle.md §1).
      const revoked = await revokeActiveKeys({ db: tx, channelId: channel.id, reason: "channel_cancelled" });
      if (revoked.length) effect += `, ${revoked.length} key${revoked.length === 1 ? "" : "s"} revoked`;
      for (const id of revoked) await publishChange(tx, { topic: "api_key", id, hubId: hub.id });
    }
    await publishChange(tx, { topic: "channel", id: channel.id, hubId: hub.id, clientId: updated.clientId ?? undefined });
  }
  return { channel: updated, applied: set !== null, effect };
}

/**
 * Reconciliation as the safety net of the cancellation events (docs/channel-lifecycle.md §1): a channel listed
 * with `terminated_at` while the portal knows of no cancellation had one requested (the event was lost); one
 * listed without it while the portal holds a request older than the listing had it revoked. Processing is never
 * inferred (revoking keys on a guess would stop a working number): only cancellation_processed does that.
 */
export async function reconcileCancellation(
  tx: Executor,
  hub: Hub,
  channel: Channel,
  listed: { raw: Record<string, unknown>; occurredAt: Date; statusBefore: string },
): Promise<CancellationOutcome | null> {
  if (channel.cancellation === "cancelled" || !Object.hasOwn(listed.raw, "terminated_at")) return null;
  const terminatedAt = typeof listed.raw.terminated_at === "string" && dateOf(listed.raw.terminated_at) ? listed.raw.terminated_at : undefined;
  if (terminatedAt && channel.cancellation === null) {
    return applyCancellation(tx, hub, channel, { event: "cancellation_request", occurredAt: listed.occurredAt, terminatedAt, statusBefore: listed.statusBefore });
  }
  if (!terminatedAt && listed.raw.terminated_at === null && channel.cancellation === "requested" && channel.cancellationRequestedAt && listed.occurredAt > channel.cancellationRequestedAt) {
    return applyCancellation(tx, hub, channel, { event: "cancellation_revoke", occurredAt: listed.occurredAt, statusBefore: listed.statusBefore });
  }
  return null;
}
