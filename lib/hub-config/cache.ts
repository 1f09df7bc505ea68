import "server-only";
import { findHubById, findHubByPartnerId } from "@/db/queries/hubs";
import type { Hub } from "@/db/schema";
import { getDb } from "../db";
import { processSlots } from "../process-slots";

// Hub rows change rarely (a settings save); the webhook receiver asks for one on every delivery. A short cache
// spares it a round trip. Saves in this process clear it at once; other instances follow within the TTL, and a
// rotated platform secret stays covered meanwhile because the previous one is accepted during the overlap.
const TTL_MS = 5_000;
const MAX_ENTRIES = 1_000;
// A process slot: server.ts's webhook fast path loads this module outside Next's bundle, and a settings save (in the
// bundle) must clear the one cache both read.
const cache = (processSlots.hubCache ??= new Map());

export async function cachedHubByPartnerId(partnerId: string, now = Date.now()): Promise<Hub | undefined> {
  const hit = cache.get(partnerId);
  if (hit && hit.until > now) return hit.hub;
  const hub = await findHubByPartnerId({ db: await getDb(), partnerId });
  if (cache.size >= MAX_ENTRIES) cache.clear(); // unknown partner ids must not grow it without bound
  cache.set(partnerId, { hub, until: now + TTL_MS });
  return hub;
}

/** The same cache by hub id, for the WABA webhook receiver (docs/waba-webhook.md §2): keyed apart from partner ids. */
export async function cachedHubById(id: string, now = Date.now()): Promise<Hub | undefined> {
  const key = `id:${id}`;
  const hit = cache.get(key);
  if (hit && hit.until > now) return hit.hub;
  const hub = await findHubById({ db: await getDb(), id });
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(key, { hub, until: now + TTL_MS });
  return hub;
}

export function forgetCachedHubs(): void {
  cache.clear();
}
