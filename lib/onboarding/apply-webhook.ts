import "server-only";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import type { Executor } from "@/db/client";
import type { Hub, WebhookEvent as WebhookRow } from "@/db/schema";
import type { WebhookEventOf } from "../hub/events";
import { recordChannelProgress } from "./funnel";

/**
 * The onboarding funnel follows a number past the redirect: created, then running. It runs after the channel's
 * own applier in the same transaction (lib/webhooks/apply.ts), so the channel row it reads is already moved; it
 * has no say in the event's outcome.
 */
async function followChannel(tx: Executor, hub: Hub, _row: WebhookRow, parsed: WebhookEventOf<"channel">): Promise<void> {
  const channelExternalId = parsed.channel.id;
  await recordChannelProgress(
    tx,
    { hubId: hub.id, channelExternalId, status: async () => (await findChannelByExternalId({ db: tx, hubId: hub.id, externalId: channelExternalId }))?.status },
  );
}

/** What lib/webhooks/apply.ts runs for each kind of event this file applies. */
export const onboardingWebhookAppliers = { channel: followChannel };
