import type { LiveTopic } from "./types";

// Browser-side helpers of <LiveRefresh> (client-safe: no server imports), kept here so they are unit-tested.

export const REFRESH_DEBOUNCE_MS = 300;
const RECONNECT_BASE_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

/** The stream URL for a set of topics (order and duplicates do not matter) and an optional hub. */
export function liveStreamUrl(topics: readonly LiveTopic[], hubId?: string): string {
  const params = new URLSearchParams();
  const unique = [...new Set(topics)].sort();
  if (unique.length > 0) params.set("topics", unique.join(","));
  if (hubId) params.set("hub", hubId);
  const query = params.toString();
  return query ? `/api/live?${query}` : "/api/live";
}

/**
 * Delay before reconnect attempt `attempt` (0-based): doubling from 1 s, capped at 30 s, then jittered between
 * half and all of that, so a restarted server is not hit by every open tab in the same instant.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(attempt, 10));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
