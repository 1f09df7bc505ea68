import "server-only";
import { and, inArray, sql } from "drizzle-orm";
import { rowsOf, type Executor } from "../client";
import { channels, invites, webhookEvents } from "../schema";

// The Overview's getting-started checklist: whether a first thing has happened, each one LIMIT 1 walk of an index
// (invites_hub_created_idx, channels_hub_status_idx, webhook_events_hub_received_idx) in an exists(), never a count.

/** Statuses from which a number counts as running (lib/hub/events.ts isRunning: running and every later one). */
const RUNNING_STATUSES = ["running", "live", "RUNNING", "LIVE"];

export type FirstSteps = { inviteCreated: boolean; numberRunning: boolean; webhookReceived: boolean };

export async function findFirstSteps({ db, hubIds }: { db: Executor; hubIds: readonly string[] }): Promise<FirstSteps> {
  if (hubIds.length === 0) return { inviteCreated: false, numberRunning: false, webhookReceived: false };
  const ids = [...hubIds];
  const invite = db.select({ id: invites.id }).from(invites).where(inArray(invites.hubId, ids)).limit(1);
  const running = db
    .select({ id: channels.id })
    .from(channels)
    .where(and(inArray(channels.hubId, ids), inArray(channels.status, RUNNING_STATUSES)))
    .limit(1);
  const webhook = db.select({ id: webhookEvents.id }).from(webhookEvents).where(inArray(webhookEvents.hubId, ids)).limit(1);
  // One statement, one round trip: the Overview renders this on every view.
  const [row] = await rowsOf<{ invite: boolean; running: boolean; webhook: boolean }>(
    db,
    sql`select exists(${invite}) as invite, exists(${running}) as running, exists(${webhook}) as webhook`,
  );
  return { inviteCreated: row?.invite === true, numberRunning: row?.running === true, webhookReceived: row?.webhook === true };
}
