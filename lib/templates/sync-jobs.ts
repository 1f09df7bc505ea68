import "server-only";
import { listHubs } from "@/db/queries/hubs";
import { findJobById } from "@/db/queries/jobs";
import type { Executor } from "@/db/client";
import { enqueueJob } from "../jobs/enqueue";
import { templateSettingsOf } from "./settings";

// Sync work is keyed by time window, so a double click, two tabs or two instances queue it once per window.

const NOW_WINDOW_MS = 10_000;
const windowOf = (now: Date, ms: number) => new Date(Math.floor(now.getTime() / ms) * ms).toISOString();

export async function enqueueChannelSync(
  db: Executor,
  input: { channelId: string; requestedBy?: string; reason?: string },
  now = new Date(),
): Promise<{ id: string; created: boolean }> {
  const inWindow = (start: Date, runAt?: Date) =>
    enqueueJob(db, {
      kind: "template.sync",
      payload: { channelId: input.channelId, requestedBy: input.requestedBy, reason: input.reason },
      uniqueKey: `template.sync:${input.channelId}:${start.toISOString()}`,
      runAt,
      maxAttempts: 5,
    });
  const start = new Date(windowOf(now, NOW_WINDOW_MS));
  const current = await inWindow(start);
  if (current.created || (await findJobById({ db, id: current.id }))?.status === "queued") return current;
  // This window's job already started, so it may have read 360dialog before the change this call is about (a
  // lost submit answer, a webhook for a template not stored yet): the next window's job, which cannot have
  // started yet, carries it instead of the request being dropped.
  const next = new Date(start.getTime() + NOW_WINDOW_MS);
  return inWindow(next, next);
}

export async function enqueueHubSync(
  db: Executor,
  input: { hubId: string; scope: "awaiting" | "all"; requestedBy?: string },
  now = new Date(),
): Promise<{ id: string; created: boolean }> {
  return enqueueJob(db, {
    kind: "hub.template_sync",
    payload: input,
    uniqueKey: `hub.template_sync:${input.hubId}:${input.scope}:${windowOf(now, NOW_WINDOW_MS)}`,
    maxAttempts: 3,
  });
}

/**
 * The schedule (called every minute by the job runner): per hub, one sync of the numbers whose templates await
 * review, once per the hub's interval. Epoch-aligned windows, so every instance computes the same key.
 */
export async function enqueueScheduledTemplateSyncs({ db, now }: { db: Executor; now: Date }): Promise<number> {
  let created = 0;
  for (const hub of await listHubs({ db })) {
    if (hub.archivedAt) continue; // archived: no jobs (docs/hub-settings.md §6)
    const minutes = templateSettingsOf(hub).syncIntervalMinutes;
    if (minutes <= 0) continue;
    const result = await enqueueJob(db, {
      kind: "hub.template_sync",
      payload: { hubId: hub.id, scope: "awaiting" },
      uniqueKey: `hub.template_sync:${hub.id}:schedule:${windowOf(now, minutes * 60_000)}`,
      maxAttempts: 3,
    });
    if (result.created) created++;
  }
  return created;
}
