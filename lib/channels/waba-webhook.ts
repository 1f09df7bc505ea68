import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { findActiveApiKey } from "@/db/queries/api-keys";
import { findChannelById } from "@/db/queries/channel-store";
import {
  claimWabaWebhookSecret,
  findHubForWabaWebhook,
  listChannelsNeedingWabaWebhook,
  lockHubForWabaWebhook,
  replaceWabaWebhookSecret,
  setWabaWebhookState,
} from "@/db/queries/waba-webhook";
import type { Database, Executor } from "@/db/client";
import type { Hub } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";
import { publicBaseUrl } from "../env";
import { isHubError } from "../hub/http";
import { WABA_SECRET_HEADER } from "../hub/meta-events";
import { createMessagingApi, type MessagingApi } from "../hub/messaging-api";
import { forgetCachedHubs } from "../hub-config/cache";
import { openWabaWebhookSecret, sealWabaWebhookSecret, wabaPathToken } from "../hub-config/secrets";
import { wabaWebhookSettingsOf } from "../hub-config/waba-webhook-settings";
import { enqueueJob } from "../jobs/enqueue";
import { withStorableErrors } from "../jobs/failure";
import type { JobHandler, JobKinds } from "../jobs/types";
import { publishChange } from "../live/publish";
import { openStoredKey } from "./api-keys";

// Every managed number's WABA webhook points at the portal (docs/waba-webhook.md §2): that is where Meta's template
// verdicts and account events arrive. Set with the number's own key after every key generation and on reconcile;
// the outcome is kept on the channel (set / failed with the hub's answer / not yet) and shown on its page.

type Reason = JobKinds["channel.waba_webhook"]["reason"];

/** What the URL's secret segment is shown as: the URL staff see and the channel keeps never holds the secret. */
export const WABA_URL_SECRET_PLACEHOLDER = "{secret}";

/**
 * Where 360dialog must deliver this hub's WABA webhooks, as shown to staff and kept on each channel: with the
 * hub's setting "secret in the URL" (docs/waba-webhook.md §2.1) it ends in a placeholder for the secret segment.
 * A number whose stored URL differs (the setting changed) is set again by the next reconcile.
 */
export function wabaWebhookUrlFor(hub: Pick<Hub, "id" | "settings">): string {
  const base = `${publicBaseUrl()}/api/webhooks/waba/${hub.id}`;
  return wabaWebhookSettingsOf(hub).secretIn === "url" ? `${base}/${WABA_URL_SECRET_PLACEHOLDER}` : base;
}

/** The URL actually given to 360dialog: the shown one with the secret's path token in place of the placeholder. */
export function wabaWebhookDeliveryUrl(hub: Pick<Hub, "id" | "settings">, secret: string): string {
  return wabaWebhookUrlFor(hub).replace(WABA_URL_SECRET_PLACEHOLDER, wabaPathToken(secret));
}

/**
 * Queues setting one number's WABA webhook. In the caller's transaction (the one that stores a key, docs/security.md R8), so a key
 * is never stored without it; `discriminator` keeps one job per key or reconcile window.
 */
export async function enqueueWabaWebhook(tx: Executor, input: { channelId: string; reason: Reason; discriminator: string }): Promise<{ id: string; created: boolean }> {
  return enqueueJob(tx, {
    kind: "channel.waba_webhook",
    payload: { channelId: input.channelId, reason: input.reason },
    uniqueKey: `waba_webhook:${input.channelId}:${input.reason}:${input.discriminator}`,
  });
}

/** "Set again" on the channel page (operators): queues the job now, whatever the number's state. */
export async function requestWabaWebhook(actor: Actor, channelId: string, deps: { db?: Database } = {}): Promise<{ jobId: string }> {
  const db = deps.db ?? (await getDb());
  const channel = await findChannelById({ db, id: channelId });
  if (!channel) throw new AppError("not_found:channel", "That number does not exist.");
  if (!(await findActiveApiKey({ db, channelId }))) throw new AppError("conflict:no_api_key", "This number has no API key yet, so its WABA webhook cannot be set.");
  return db.transaction(async (tx) => {
    const job = await enqueueWabaWebhook(tx, { channelId, reason: "manual", discriminator: randomUUID() });
    await audit(tx, { actor, action: "channel.waba_webhook_requested", targetType: "channel", targetId: channelId, hubId: channel.hubId, detail: { jobId: job.id } });
    return { jobId: job.id };
  });
}

/** How long deliveries carrying the previous secret are still accepted after a rotation (360dialog retries up to 7 days). */
export const WABA_SECRET_OVERLAP_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Settings → "Rotate WABA webhook secret" (admins): a new secret, every keyed number's WABA webhook set again with
 * it, and the previous one still accepted for 7 days, so deliveries already on their way are not refused.
 */
export async function rotateWabaWebhookSecret(actor: Actor, hubId: string, deps: { db?: Database; now?: Date } = {}): Promise<{ queued: number }> {
  const db = deps.db ?? (await getDb());
  const now = deps.now ?? new Date();
  return db.transaction(async (tx) => {
    const hub = await lockHubForWabaWebhook({ db: tx, id: hubId });
    if (!hub) throw new AppError("not_found:hub", "That hub no longer exists.");
    const current = openWabaWebhookSecret(hub);
    await replaceWabaWebhookSecret({
      db: tx,
      hubId,
      sealed: sealWabaWebhookSecret(hubId, randomBytes(32).toString("base64url")),
      previousSealed: current ? sealWabaWebhookSecret(hubId, current, "previous") : null,
      previousExpiresAt: current ? new Date(now.getTime() + WABA_SECRET_OVERLAP_MS) : null,
    });
    const ids = await listChannelsNeedingWabaWebhook({ db: tx, hubId, url: wabaWebhookUrlFor(hub), all: true });
    let queued = 0;
    const discriminator = now.toISOString();
    for (const channelId of ids) if ((await enqueueWabaWebhook(tx, { channelId, reason: "secret", discriminator })).created) queued++;
    forgetCachedHubs();
    await audit(tx, { actor, action: "hub.waba_webhook_secret_rotated", targetType: "hub", targetId: hubId, hubId, detail: { numbers: queued } });
    return { queued };
  });
}

/** Reconcile: every number of the hub with a key whose WABA webhook is not (or not any more) set to the portal. */
export async function enqueueMissingWabaWebhooks(db: Database, hub: Hub, now: Date = new Date()): Promise<number> {
  const ids = await listChannelsNeedingWabaWebhook({ db, hubId: hub.id, url: wabaWebhookUrlFor(hub) });
  const window = now.toISOString().slice(0, 13);
  let queued = 0;
  for (const channelId of ids) {
    const job = await enqueueWabaWebhook(db, { channelId, reason: "reconcile", discriminator: window });
    if (job.created) queued++;
  }
  return queued;
}

/** The hub's WABA webhook secret, made and stored sealed on first use; concurrent first uses agree on one. */
export async function wabaWebhookSecretOf(db: Executor, hub: Hub): Promise<string> {
  const existing = openWabaWebhookSecret(hub);
  if (existing) return existing;
  const stored = await claimWabaWebhookSecret({ db, hubId: hub.id, sealed: sealWabaWebhookSecret(hub.id, randomBytes(32).toString("base64url")) });
  forgetCachedHubs();
  const secret = stored ? openWabaWebhookSecret(stored) : null;
  if (!secret) throw new Error("the hub's WABA webhook secret could not be stored");
  return secret;
}

export type WabaWebhookDeps = { db?: Database; messagingApi?: (options: { baseUrl: string; apiKey: string }) => MessagingApi };

export type WabaWebhookResult = { outcome: "set" | "no_key" | "missing_channel" };

/**
 * Sets one number's WABA webhook to the portal with the hub's secret header. A refusal is kept on the channel with
 * the hub's answer and thrown, so the job retries; idempotent (docs/security.md R8).
 */
export async function setChannelWabaWebhook(channelId: string, deps: WabaWebhookDeps = {}): Promise<WabaWebhookResult> {
  const db = deps.db ?? (await getDb());
  const channel = await findChannelById({ db, id: channelId });
  const hub = channel ? await findHubForWabaWebhook({ db, id: channel.hubId }) : undefined;
  if (!channel || !hub) return { outcome: "missing_channel" };
  const key = await findActiveApiKey({ db, channelId });
  if (!key) return { outcome: "no_key" };
  const secret = await wabaWebhookSecretOf(db, hub);
  const messaging = (deps.messagingApi ?? createMessagingApi)({ baseUrl: key.address ?? channel.messagingBaseUrl ?? hub.messagingBaseUrl, apiKey: openStoredKey(key) });
  try {
    // The header always; the URL carries the secret too unless the hub says header only (docs/waba-webhook.md §2.1).
    await messaging.setWabaWebhook({ url: wabaWebhookDeliveryUrl(hub, secret), headers: { [WABA_SECRET_HEADER]: secret } });
  } catch (error) {
    await record(db, hub, channelId, "failed", answerOf(error));
    throw error;
  }
  // Kept as shown (no secret): what reconcile compares with wabaWebhookUrlFor().
  await record(db, hub, channelId, "set", wabaWebhookUrlFor(hub));
  return { outcome: "set" };
}

async function record(db: Database, hub: Hub, channelId: string, state: "set" | "failed", detail: string): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await setWabaWebhookState({ db: tx, channelId, state, detail });
    if (row) await publishChange(tx, { topic: "channel", id: row.id, hubId: hub.id, clientId: row.clientId ?? undefined });
  });
}

/** The hub's answer in words staff can act on; never the key. */
function answerOf(error: unknown): string {
  if (isHubError(error)) {
    const said = error.developerMessage ? `: ${error.developerMessage}` : "";
    if (error.status !== null) return `360dialog answered HTTP ${error.status}${said}`.slice(0, 500);
    return `360dialog ${error.code === "timeout" ? "did not answer in time" : "could not be reached"}`;
  }
  return (error instanceof Error ? error.message : "failed").slice(0, 500);
}

/** The `channel.waba_webhook` job. */
export const wabaWebhookHandler: JobHandler<"channel.waba_webhook"> = (job) => withStorableErrors(() => setChannelWabaWebhook(job.payload.channelId));
