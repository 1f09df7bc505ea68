import "server-only";
import { createHash, randomUUID } from "node:crypto";
import {
  activateApiKey,
  claimApiKeyGrant,
  findActiveApiKey,
  findApiKeyForGrant,
  findCurrentApiKey,
  lockApiKeyGrant,
  markActiveKeyRevealed,
  maxKeyVersion,
  revokeActiveKeys,
} from "@/db/queries/api-keys";
import { findChannelById, findDeadKeyJob, findKeyJobState, lockChannelById, runWaitingKeyJobNow, updateChannel, type KeyJobState } from "@/db/queries/channel-store";
import { findHubById } from "@/db/queries/hubs";
import { notifyJobsChannel, requeueDeadJob } from "@/db/queries/jobs";
import { findUserById } from "@/db/queries/users";
import type { Database, Executor } from "@/db/client";
import type { ApiKey, Channel, Hub, UserRole } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";
import { RUNNING_RANK, isRunning } from "../hub/events";
import { createMessagingApi, type MessagingApi } from "../hub/messaging-api";
import type { PartnerApi } from "../hub/partner-api";
import { partnerApiFor } from "../hub-config/connection";
import { enqueueJob } from "../jobs/enqueue";
import { publishChange } from "../live/publish";
import { logger } from "../log";
import { openSecret, sealSecret } from "../secrets";
import { enqueueWabaWebhook } from "./waba-webhook";
import { emitEvent } from "../events/emit";

/** Seams for tests and scale-out tools; production code passes nothing. */
export type ChannelDeps = {
  db?: Database;
  partnerApi?: (hub: Hub) => PartnerApi;
  messagingApi?: (options: { baseUrl: string; apiKey: string }) => MessagingApi;
};

/** Told, inside the transaction that stores it, that a number's key was stored (the onboarding funnel's `key_stored`). */
export type KeyStoredHook = (tx: Executor, stored: { hubId: string; channelExternalId: string }) => Promise<void>;

export type ProvisionDeps = ChannelDeps & {
  /** Runs between the key call and the transaction that stores the key (crash tests). */
  afterGenerate?: () => void | Promise<void>;
  /** The job registry (lib/job-registry.ts) passes the onboarding funnel's; channels know nothing of onboarding. */
  onKeyStored?: KeyStoredHook;
};

export type KeyActor = Actor & { role: UserRole };

export const keyAad = (channelId: string, keyVersion: number) => `api_keys|${channelId}|${keyVersion}`;
export const fingerprintOf = (apiKey: string) => createHash("sha256").update(apiKey).digest("hex").slice(0, 16);

/**
 * The grant a key answers (docs/security.md R6): partner payment has one implicit grant per channel; direct payment one per
 * permission change, so a withdrawn and re-given permission gets a new key.
 */
export function grantIdFor(hub: Pick<Hub, "paymentMode">, channel: Pick<Channel, "permissionChangedAt">): string | null {
  if (hub.paymentMode === "partner") return "initial";
  return channel.permissionChangedAt ? `perm:${channel.permissionChangedAt.toISOString()}` : null;
}

/**
 * Queues key provisioning when the channel is running, permitted and its current grant has no key yet. A grant
 * whose key was superseded (regenerated, or revoked with the permission) is never provisioned again from here.
 */
export async function enqueueProvisionIfDue(tx: Executor, hub: Hub, channel: Channel): Promise<string | null> {
  if (channel.statusRank < RUNNING_RANK || channel.permission !== "granted" || channel.cancellation === "cancelled") return null;
  const grantId = grantIdFor(hub, channel);
  if (!grantId) return null;
  const existing = await findApiKeyForGrant({ db: tx, channelId: channel.id, grantId });
  if (existing && (existing.status === "active" || existing.status === "revoked")) return null;
  const job = await enqueueJob(tx, {
    kind: "api_key.provision",
    payload: { channelId: channel.id, grantId },
    uniqueKey: `api_key:${channel.id}:${grantId}`,
  });
  return job.id;
}

export type ProvisionResult = {
  outcome: "generated" | "already_active" | "superseded" | "not_permitted" | "missing_channel" | "cancelled";
  keyId?: string;
};

/**
 * Generates, stores and configures the key of one channel for one grant (docs/security.md R6, R12, R17, F6). The claim row makes
 * the grant happen once; the channel row lock, held from just before the key call to the commit, serialises key
 * work per channel, so concurrent runs wait and then find the key active. A crash between the key call and the
 * commit leaves the claim `pending`: the re-run generates a new key (360dialog revokes the first) and stores
 * that one, so exactly one stored key remains. Only the key call itself (one attempt, bounded by the transport
 * timeout) runs under the lock; on PGlite, whose single connection a transaction holds, that is the one moment
 * the database waits on 360dialog.
 */
export async function provisionApiKey(
  input: { channelId: string; grantId: string; requestedBy?: string },
  deps: ProvisionDeps = {},
): Promise<ProvisionResult> {
  const db = deps.db ?? (await getDb());
  const channel = await findChannelById({ db, id: input.channelId });
  if (!channel) return { outcome: "missing_channel" };
  const hub = await findHubById({ db, id: channel.hubId });
  if (!hub) return { outcome: "missing_channel" };
  const requester = input.requestedBy ? await findUserById({ db, id: input.requestedBy }) : undefined;
  await claimApiKeyGrant({ db, hubId: hub.id, channelId: channel.id, grantId: input.grantId, createdBy: requester?.id });

  type Stored = { result: ProvisionResult; key?: ApiKey; plaintext?: string };
  const settled = (claim: ApiKey | undefined, current: Channel | undefined): Stored | null => {
    if (!current || !claim) return { result: { outcome: "missing_channel" } };
    if (claim.status === "active") return { result: { outcome: "already_active", keyId: claim.id }, key: claim };
    if (claim.status === "revoked") return { result: { outcome: "superseded", keyId: claim.id } };
    if (current.cancellation === "cancelled") return { result: { outcome: "cancelled", keyId: claim.id } };
    if (current.permission !== "granted") return { result: { outcome: "not_permitted", keyId: claim.id } };
    return null;
  };
  const partner = (deps.partnerApi ?? partnerApiFor)(hub);
  const early = settled(await findApiKeyForGrant({ db, channelId: channel.id, grantId: input.grantId }), channel);
  if (!early) {
    // docs/security.md R12: the webhook row is a hint; the hub itself must say the channel is ours and running.
    const remote = await partner.getChannel(channel.externalId);
    if (!remote) throw new AppError("not_found:channel", "360dialog does not list this number under the partner.");
    if (!isRunning(remote)) {
      throw new AppError("conflict:channel_not_running", `The number is "${remote.status ?? "unknown"}" at 360dialog, not running yet.`);
    }
  }

  const stored = early ?? (await db.transaction(async (tx): Promise<Stored> => {
    const current = await lockChannelById({ db: tx, id: channel.id });
    const claim = await lockApiKeyGrant({ db: tx, channelId: channel.id, grantId: input.grantId });
    const done = settled(claim, current);
    if (done || !claim || !current) return done ?? { result: { outcome: "missing_channel" } };

    // Never retried by the transport: this job's retry is the retry, under the claim.
    const issued = await partner.generateApiKey(current.externalId);
    await deps.afterGenerate?.();

    const keyVersion = (await maxKeyVersion({ db: tx, channelId: channel.id })) + 1;
    const key = await activateApiKey({
      db: tx,
      id: claim.id,
      key: {
        keyVersion,
        keyEnc: sealSecret(issued.apiKey, keyAad(channel.id, keyVersion)),
        last4: issued.apiKey.slice(-4),
        fingerprint: fingerprintOf(issued.apiKey),
        address: issued.address,
        externalId: issued.id ?? null,
      },
    });
    const revoked = await revokeActiveKeys({ db: tx, channelId: channel.id, exceptId: key.id });
    await updateChannel({ db: tx, id: channel.id, set: { messagingBaseUrl: issued.address } });
    await deps.onKeyStored?.(tx, { hubId: hub.id, channelExternalId: current.externalId });
    // The partner's platform hears a key waits to be claimed; the event never carries it (docs/events.md §2).
    await emitEvent(tx, { type: "channel.api_key.ready", hubId: hub.id, subjectId: channel.id, data: { key_version: keyVersion, last4: key.last4 } });
    // Every new key re-points the number's WABA webhook at the portal (docs/waba-webhook.md §2), committed with the key.
    await enqueueWabaWebhook(tx, { channelId: channel.id, reason: "key", discriminator: key.id });
    await audit(
      tx,
      {
        actor: requester ? { id: requester.id, email: requester.email } : "system",
        action: "api_key.generated",
        targetType: "channel",
        targetId: channel.id,
        hubId: hub.id,
        detail: { grantId: input.grantId, keyVersion, last4: key.last4, fingerprint: key.fingerprint, revokedKeys: revoked.length },
      },
    );
    await publishChange(tx, { topic: "api_key", id: key.id, hubId: hub.id });
    await publishChange(tx, { topic: "channel", id: channel.id, hubId: hub.id, clientId: current.clientId ?? undefined });
    return { result: { outcome: "generated", keyId: key.id }, key, plaintext: issued.apiKey };
  }));

  // A new key resets the number's messaging webhook at 360dialog. Idempotent, so a retry of this job (which
  // finds the key active) simply sets it again.
  if (stored.key && hub.channelWebhookUrl) {
    const apiKey = stored.plaintext ?? openStoredKey(stored.key);
    const messaging = (deps.messagingApi ?? createMessagingApi)({ baseUrl: stored.key.address ?? hub.messagingBaseUrl, apiKey });
    await messaging.setWebhook({ url: hub.channelWebhookUrl });
  }
  if (stored.result.outcome === "not_permitted") {
    logger("channels").info({ channelId: channel.id, grantId: input.grantId }, "api key not generated: no permission for the number");
  }
  return stored.result;
}

export function openStoredKey(key: ApiKey): string {
  if (!key.keyEnc) throw new Error("active api key without ciphertext");
  return openSecret(key.keyEnc, keyAad(key.channelId, key.keyVersion));
}

function requireAdmin(actor: KeyActor): void {
  if (actor.role !== "admin") throw new AppError("forbidden", "Only admins can see or replace API keys.");
}

/** Show once (docs/security.md R19): the plaintext of the active key for its first viewer; afterwards only the mask. */
export async function revealApiKey(actor: KeyActor, channelId: string, deps: ChannelDeps = {}): Promise<{ apiKey: string; last4: string | null; fingerprint: string | null }> {
  requireAdmin(actor);
  const db = deps.db ?? (await getDb());
  return db.transaction(async (tx) => {
    const key = await markActiveKeyRevealed({ db: tx, channelId, userId: actor.id });
    if (!key) {
      const current = await findCurrentApiKey({ db: tx, channelId });
      if (current?.status === "active") throw new AppError("gone:api_key", "This key was already shown once. Regenerate it to get a new one.");
      if (current?.revokedReason === "channel_cancelled") throw new AppError("conflict:channel_cancelled", "This number was cancelled: its key was revoked and no longer works.");
      throw new AppError("not_found:api_key", "This number has no API key yet.");
    }
    await audit(
      tx,
      { actor, action: "api_key.revealed", targetType: "channel", targetId: channelId, hubId: key.hubId, detail: { keyVersion: key.keyVersion, last4: key.last4 } },
    );
    await publishChange(tx, { topic: "api_key", id: key.id, hubId: key.hubId });
    return { apiKey: openStoredKey(key), last4: key.last4, fingerprint: key.fingerprint };
  });
}

export type MaskedKey = {
  status: ApiKey["status"] | "none";
  last4: string | null;
  fingerprint: string | null;
  createdAt: Date | null;
  revealed: boolean;
  /** `channel_cancelled` when the number's cancellation revoked it. */
  revokedReason: string | null;
  revokedAt: Date | null;
  /** While no key is active: the key job that is waiting, running or gave up, with the hub's last answer. */
  job: KeyJobState | null;
};

export async function maskedKeyFor(channelId: string, deps: ChannelDeps = {}): Promise<MaskedKey> {
  const db = deps.db ?? (await getDb());
  const key = await findCurrentApiKey({ db, channelId });
  const job = key?.status === "active" ? null : ((await findKeyJobState({ db, channelId })) ?? null);
  if (!key) return { status: "none", last4: null, fingerprint: null, createdAt: null, revealed: false, revokedReason: null, revokedAt: null, job };
  return {
    status: key.status,
    last4: key.last4,
    fingerprint: key.fingerprint,
    createdAt: key.createdAt,
    revealed: key.revealedAt !== null,
    revokedReason: key.revokedReason,
    revokedAt: key.revokedAt,
    job,
  };
}

function refuseCancelled(channel: Channel): void {
  if (channel.cancellation === "cancelled") {
    throw new AppError("conflict:channel_cancelled", "This number was cancelled: no key can be made or used for it any more.");
  }
}

async function loadKeyTarget(db: Executor, channelId: string): Promise<{ channel: Channel; hub: Hub }> {
  const channel = await findChannelById({ db, id: channelId });
  const hub = channel ? await findHubById({ db, id: channel.hubId }) : undefined;
  if (!channel || !hub) throw new AppError("not_found:channel", "That number does not exist.");
  return { channel, hub };
}

/** Replaces the key (docs/security.md F6: the old one stops working at 360dialog as soon as the new one exists). */
export async function regenerateApiKey(
  actor: KeyActor,
  channelId: string,
  options: { confirm: boolean },
  deps: ChannelDeps = {},
): Promise<{ jobId: string; grantId: string }> {
  requireAdmin(actor);
  if (options.confirm !== true) throw new AppError("invalid:confirm", "Confirm that the current key will stop working.");
  const db = deps.db ?? (await getDb());
  const { channel, hub } = await loadKeyTarget(db, channelId);
  refuseCancelled(channel);
  if (channel.statusRank < RUNNING_RANK || channel.permission !== "granted") {
    throw new AppError("conflict:api_key", "A key can only be made for a running number the client has given you permission for.");
  }
  // Regenerating replaces a key; with none stored there is nothing to replace, and a new grant beside a failing
  // first generation would only queue a second job (docs/channel-lifecycle.md §4: the page offers Retry instead).
  if (!(await findActiveApiKey({ db, channelId }))) {
    throw new AppError("conflict:no_api_key", "This number has no key yet, so there is nothing to regenerate. Use Retry to generate its first key.");
  }
  const grantId = `regen:${randomUUID()}`;
  return db.transaction(async (tx) => {
    const job = await enqueueJob(tx, {
      kind: "api_key.provision",
      payload: { channelId, grantId, requestedBy: actor.id },
      uniqueKey: `api_key:${channelId}:${grantId}`,
    });
    await audit(tx, { actor, action: "api_key.regeneration_requested", targetType: "channel", targetId: channelId, hubId: hub.id, detail: { grantId } });
    return { jobId: job.id, grantId };
  });
}

/**
 * "Retry now" (channel page, stuck list): a key job waiting for its next attempt runs at once; else the dead key
 * job is replayed when there is one; else the current grant is queued again (or a fresh grant when the current one
 * was superseded). The claim keeps it to one key either way.
 */
export async function retryKeyProvision(actor: Actor, channelId: string, deps: ChannelDeps = {}): Promise<{ jobId: string }> {
  const db = deps.db ?? (await getDb());
  const { channel, hub } = await loadKeyTarget(db, channelId);
  refuseCancelled(channel);
  if (channel.permission !== "granted") throw new AppError("conflict:api_key", "The client has not given you permission for this number yet.");
  return db.transaction(async (tx) => {
    const waiting = await findKeyJobState({ db: tx, channelId });
    const dead = waiting?.status === "dead" ? waiting : await findDeadKeyJob({ db: tx, channelId });
    let jobId: string;
    if (waiting?.status === "running") {
      throw new AppError("conflict:api_key", "The key is being generated right now. Wait for this attempt to finish.");
    } else if (waiting?.status === "queued" && (await runWaitingKeyJobNow({ db: tx, id: waiting.id }))) {
      await notifyJobsChannel({ db: tx, kind: "api_key.provision" });
      jobId = waiting.id;
    } else if (dead && (await requeueDeadJob({ db: tx, id: dead.id }))) {
      await notifyJobsChannel({ db: tx, kind: "api_key.provision" });
      jobId = dead.id;
    } else {
      const current = grantIdFor(hub, channel);
      const claim = current ? await findApiKeyForGrant({ db: tx, channelId, grantId: current }) : undefined;
      if (claim?.status === "active") throw new AppError("conflict:api_key", "This number already has an active key.");
      const grantId = !current || claim?.status === "revoked" ? `retry:${randomUUID()}` : current;
      const job = await enqueueJob(tx, {
        kind: "api_key.provision",
        payload: { channelId, grantId, requestedBy: actor.id },
        uniqueKey: `api_key:${channelId}:${grantId}:retry:${randomUUID()}`,
      });
      jobId = job.id;
    }
    await audit(tx, { actor, action: "api_key.retry_requested", targetType: "channel", targetId: channelId, hubId: hub.id, detail: { jobId } });
    return { jobId };
  });
}
