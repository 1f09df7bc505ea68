import "server-only";
import { findChannelByExternalId, lockChannelByExternalId } from "@/db/queries/channel-store";
import { findHubById } from "@/db/queries/hubs";
import type { Channel, Hub } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { dateOf } from "../dates";
import { getDb } from "../db";
import { AppError } from "../errors";
import type { PartnerApi } from "../hub/partner-api";
import type { Client as HubClient, PartnerChannel } from "../hub/types";
import { partnerApiFor } from "../hub-config/connection";
import { enqueueJob } from "../jobs/enqueue";
import { logger } from "../log";
import type { ChannelDeps } from "./api-keys";
import { applyChannelSnapshot, clientOfChannel } from "./lifecycle";
import { healWithdrawnPermission } from "./heal";
import { applyPermission } from "./permissions";
import { enqueueMissingWabaWebhooks } from "./waba-webhook";
import { storeClient } from "./store-client";

const PAGE_SIZE = 100;

export type ReconcileResult = {
  clients: { seen: number; created: number; updated: number };
  channels: { seen: number; created: number; changed: number };
  permissionsChanged: number;
};

async function* listAllClients(api: PartnerApi): AsyncGenerator<HubClient> {
  const seen = new Set<string>();
  for (let offset = 0; ; ) {
    const page = await api.listClients({ limit: PAGE_SIZE, offset });
    for (const client of page.items) {
      if (seen.has(client.id)) continue;
      seen.add(client.id);
      yield client;
    }
    offset += page.items.length;
    const done = page.total === undefined ? page.items.length < PAGE_SIZE : offset >= page.total;
    if (done || page.items.length === 0) return;
  }
}

/**
 * Heals drift after lost webhooks (docs/security.md R9): every client and channel the hub lists is upserted exactly as a webhook
 * would (forward-only status, client link, default permission, keys queued where due). One short transaction per
 * row, so a long listing never holds locks and one bad row does not undo the rest.
 */
export async function reconcileHub(hubId: string, deps: ChannelDeps = {}): Promise<ReconcileResult> {
  const db = deps.db ?? (await getDb());
  const hub = await findHubById({ db, id: hubId });
  if (!hub) throw new AppError("not_found:hub", "That hub no longer exists.");
  if (hub.archivedAt) throw new AppError("gone:hub_archived", "The hub is archived: nothing is reconciled until it is restored.");
  const api = (deps.partnerApi ?? partnerApiFor)(hub);
  const result: ReconcileResult = { clients: { seen: 0, created: 0, updated: 0 }, channels: { seen: 0, created: 0, changed: 0 }, permissionsChanged: 0 };

  for await (const c of listAllClients(api)) {
    result.clients.seen++;
    const outcome = await db.transaction(async (tx) => {
      return storeClient(tx, hub.id, { externalId: c.id, name: c.name, email: c.email, status: c.status, partnerPayload: c.partnerPayload, hubCreatedAt: dateOf(c.createdAt), raw: c.raw });
    });
    if (outcome.created) result.clients.created++;
    else if (outcome.changed) result.clients.updated++;
  }

  const unpermitted = new Map<string, string[]>();
  const withdrawnOnPartnerHub: Channel[] = [];
  for await (const ch of api.listAllChannels()) {
    result.channels.seen++;
    const outcome = await db.transaction((tx) =>
      applyChannelSnapshot(tx, hub, snapshotOf(ch), {
        event: "reconciled",
        occurredAt: dateOf(ch.modifiedAt) ?? dateOf(ch.createdAt) ?? new Date(),
        source: "reconcile",
        history: "if_changed",
      }),
    );
    if (outcome.created) result.channels.created++;
    else if (outcome.changed) result.channels.changed++;
    const clientId = ch.clientId ?? ch.client?.id;
    if (hub.paymentMode === "direct" && clientId && outcome.channel.permission !== "granted") {
      unpermitted.set(clientId, [...(unpermitted.get(clientId) ?? []), ch.id]);
    }
    // Partner payment: the partner holds every key, so a withdrawn permission here is one to undo.
    if (hub.paymentMode === "partner" && outcome.channel.permission === "revoked") withdrawnOnPartnerHub.push(outcome.channel);
  }
  if (hub.paymentMode === "direct") result.permissionsChanged = await reconcilePermissions(db, hub, api, unpermitted, deps);
  for (const channel of withdrawnOnPartnerHub) {
    if ((await healWithdrawnPermission(db, hub, channel, deps)) !== "unchanged") result.permissionsChanged++;
  }

  // Numbers whose WABA webhook is not set to the portal (lost job, failed call, changed NEXTAUTH_URL).
  await enqueueMissingWabaWebhooks(db, hub);

  const drift = result.clients.created + result.clients.updated + result.channels.created + result.channels.changed + result.permissionsChanged;
  if (drift > 0) {
    await audit(db, { actor: "system", action: "hub.reconciled", targetType: "hub", targetId: hub.id, hubId: hub.id, detail: { ...result } });
  }
  logger("channels").info({ hubId: hub.id, ...result }, "hub reconciled");
  return result;
}

function snapshotOf(ch: PartnerChannel) {
  const client = clientOfChannel(ch.raw, ch.clientId);
  return {
    externalId: ch.id,
    client,
    status: ch.status,
    phoneNumber: ch.phoneNumber,
    displayName: ch.phoneName,
    wabaId: ch.wabaAccountId,
    accountMode: ch.accountMode,
    raw: ch.raw,
  };
}

/**
 * Direct payment: a lost `channel_permission_granted` would leave a number without its key forever, and a
 * withdrawal 360dialog does not confirm must not stand. For clients with numbers not permitted here, their shared
 * numbers say which ones are; only an explicit `true` grants (the shape of that answer is UNVERIFIED,
 * docs/onboarding-redirect.md), a "revoked" one is healed with its key where 360dialog still accepts it, and a
 * failure there never fails the pass.
 */
async function reconcilePermissions(
  db: NonNullable<ChannelDeps["db"]>,
  hub: Hub,
  api: PartnerApi,
  channelsByClient: Map<string, string[]>,
  deps: ChannelDeps,
): Promise<number> {
  let changed = 0;
  for (const [clientId, channelIds] of channelsByClient) {
    let numbers: Awaited<ReturnType<PartnerApi["listSharedClientNumbers"]>>;
    try {
      numbers = await api.listSharedClientNumbers(clientId);
    } catch (error) {
      logger("channels").warn({ hubId: hub.id, err: error instanceof Error ? error.message : "failed" }, "reconcile: shared numbers not readable");
      continue;
    }
    for (const n of numbers) {
      if (!n.channelId || n.shared !== true || !channelIds.includes(n.channelId)) continue;
      const channel = await findChannelByExternalId({ db, hubId: hub.id, externalId: n.channelId });
      if (!channel || channel.permission === "granted") continue;
      if (channel.permission === "revoked") {
        if ((await healWithdrawnPermission(db, hub, channel, deps)) !== "unchanged") changed++;
        continue;
      }
      const applied = await db.transaction(async (tx) => {
        const locked = await lockChannelByExternalId({ db: tx, hubId: hub.id, externalId: channel.externalId });
        if (!locked || locked.permission === "granted") return false;
        return (await applyPermission(tx, hub, locked, { granted: true, source: "reconcile", actor: "system" })).changed;
      });
      if (applied) changed++;
    }
  }
  return changed;
}

/** "Reconcile now": at most one manual pass per hub and minute. */
export async function requestReconcile(actor: Actor, hubId: string, deps: ChannelDeps = {}, now: Date = new Date()): Promise<{ jobId: string; created: boolean }> {
  const db = deps.db ?? (await getDb());
  const hub = await findHubById({ db, id: hubId });
  if (!hub) throw new AppError("not_found:hub", "That hub no longer exists.");
  if (hub.archivedAt) throw new AppError("conflict:hub_archived", "This hub is archived; restore it in Settings to reconcile it.");
  const minute = now.toISOString().slice(0, 16);
  return db.transaction(async (tx) => {
    const job = await enqueueJob(tx, {
      kind: "hub.reconcile",
      payload: { hubId, requestedBy: actor.id },
      uniqueKey: `hub.reconcile:${hubId}:manual:${minute}`,
    });
    if (job.created) {
      await audit(tx, { actor, action: "hub.reconcile_requested", targetType: "hub", targetId: hubId, hubId, detail: { jobId: job.id } });
    }
    return { jobId: job.id, created: job.created };
  });
}

export type ConfirmedFacts = { outcome: "confirmed" | "not_listed" | "nothing_named"; changed: boolean; words: string };

/**
 * Reconciles the one channel or client an unverified webhook names (docs/hub-settings.md §5): reads it from the
 * Partner API and upserts it exactly as the periodic pass would, so the webhook's claim counts for nothing and
 * only 360dialog's answer does. Network and HTTP failures are thrown for the job to retry.
 */
export async function reconcileOne(
  hub: Hub,
  target: { channelExternalId?: string | null; clientExternalId?: string | null },
  deps: ChannelDeps = {},
): Promise<ConfirmedFacts> {
  const db = deps.db ?? (await getDb());
  const api = (deps.partnerApi ?? partnerApiFor)(hub);
  if (target.channelExternalId) {
    const ch = await api.getChannel(target.channelExternalId);
    if (!ch) return { outcome: "not_listed", changed: false, words: `The Partner API does not list channel ${target.channelExternalId}: nothing changed.` };
    const outcome = await db.transaction((tx) =>
      applyChannelSnapshot(tx, hub, snapshotOf(ch), {
        event: "reconciled",
        occurredAt: dateOf(ch.modifiedAt) ?? dateOf(ch.createdAt) ?? new Date(),
        source: "reconcile",
        history: "if_changed",
      }),
    );
    const what = outcome.created ? "added" : outcome.changed ? "updated" : "already up to date";
    return { outcome: "confirmed", changed: outcome.created || outcome.changed, words: `The Partner API lists channel ${ch.id} as ${ch.status ?? "without a status"}: ${what}.` };
  }
  if (target.clientExternalId) {
    const c = await api.getClient(target.clientExternalId);
    if (!c) return { outcome: "not_listed", changed: false, words: `The Partner API does not list client ${target.clientExternalId}: nothing changed.` };
    const outcome = await db.transaction(async (tx) => {
      return storeClient(tx, hub.id, { externalId: c.id, name: c.name, email: c.email, status: c.status, partnerPayload: c.partnerPayload, hubCreatedAt: dateOf(c.createdAt), raw: c.raw });
    });
    const what = outcome.created ? "added" : outcome.changed ? "updated" : "already up to date";
    return { outcome: "confirmed", changed: outcome.created || outcome.changed, words: `The Partner API lists client ${c.id}${c.status ? ` as ${c.status}` : ""}: ${what}.` };
  }
  return { outcome: "nothing_named", changed: false, words: "The delivery names no channel or client to ask the Partner API about: nothing changed." };
}
