import "server-only";
import { z } from "zod";
import {
  listChannelsNotRunning,
  listChannelsWithDeadJobs,
  listChannelsWithoutPermission,
  listRunningChannelsWithoutKey,
  type StuckCandidate,
} from "@/db/queries/channel-store";
import { findHubById, listHubs } from "@/db/queries/hubs";
import type { Hub } from "@/db/schema";
import { getDb } from "../db";
import { CHANNEL_STATUS_RANK } from "../hub/events";
import type { ChannelDeps } from "./api-keys";

/**
 * Defaults of the stuck-number rules, overridable per hub in `hubs.settings.stuck`:
 * - notRunningHours 48: creating a number through Meta usually finishes within a day or two;
 * - noKeyMinutes 15: a key job runs within seconds, and its retries (5 s, 5 min…) pass 15 minutes only when failing;
 * - noPermissionHours 24: a direct-payment client who has not ticked the permission box within a day needs a reminder.
 */
export const STUCK_DEFAULTS = { notRunningHours: 48, noKeyMinutes: 15, noPermissionHours: 24 } as const;

export type StuckThresholds = { notRunningHours: number; noKeyMinutes: number; noPermissionHours: number };

const positive = (fallback: number) => z.number().positive().max(100_000).catch(fallback);
const thresholdsSchema = z
  .object({
    notRunningHours: positive(STUCK_DEFAULTS.notRunningHours),
    noKeyMinutes: positive(STUCK_DEFAULTS.noKeyMinutes),
    noPermissionHours: positive(STUCK_DEFAULTS.noPermissionHours),
  })
  .catch({ ...STUCK_DEFAULTS });

export function stuckThresholds(settings: Record<string, unknown>): StuckThresholds {
  return thresholdsSchema.parse(settings.stuck ?? {});
}

export type StuckRule = "not_running" | "no_api_key" | "no_permission" | "dead_job";
export type StuckAction = "retry_key" | "resend_permission_invite" | "replay_job" | null;

export type StuckChannel = {
  channelId: string;
  hubId: string;
  externalId: string;
  phoneNumber: string | null;
  clientName: string | null;
  rule: StuckRule;
  since: Date;
  explanation: string;
  nextStep: string;
  action: StuckAction;
  /** The dead job to replay (rule dead_job only). */
  jobId: string | null;
};

const PRE_RUNNING = Object.entries(CHANNEL_STATUS_RANK)
  .filter(([, rank]) => rank < CHANNEL_STATUS_RANK.running)
  .map(([status]) => status);
const RUNNING = Object.entries(CHANNEL_STATUS_RANK)
  .filter(([, rank]) => rank >= CHANNEL_STATUS_RANK.running)
  .map(([status]) => status);

function duration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  if (hours < 72) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}

const jobLabels: Record<string, string> = { "api_key.provision": "creating the API key", "webhook.process": "applying a message from 360dialog" };

function describe(rule: StuckRule, c: StuckCandidate, now: Date): Pick<StuckChannel, "explanation" | "nextStep" | "action"> {
  const ago = duration(now.getTime() - c.since.getTime());
  switch (rule) {
    case "not_running":
      return {
        explanation: `This number was added ${ago} ago and is still "${c.status}". Most numbers are running within a day or two.`,
        nextStep: "Ask the client whether Meta still needs something from them (business verification, display name), and check the number in the 360dialog hub.",
        action: null,
      };
    case "no_api_key":
      return {
        explanation: `This number has been running for ${ago}, but no API key has been stored for it.`,
        nextStep: "Retry creating the key. If it fails again, test the hub connection in Settings.",
        action: "retry_key",
      };
    case "no_permission":
      return {
        explanation: `The client pays 360dialog directly and has not given you permission for this number in ${ago}. Without it no API key can be made.`,
        nextStep: "Send the client a permission link so they can tick this number.",
        action: "resend_permission_invite",
      };
    case "dead_job":
      return {
        explanation: `A background task (${jobLabels[c.jobKind ?? ""] ?? c.jobKind}) stopped after ${c.jobAttempts ?? 0} failed attempts, ${ago} ago.`,
        nextStep: "Open the task in Jobs to read its last error, fix the cause, then replay it.",
        action: "replay_job",
      };
  }
}

/** Stuck numbers, oldest first, from a few bounded index-led queries per hub (never a count over all channels). */
export async function listStuckChannels(
  input: { hubId?: string; limit: number; now?: Date; /** Only these channels (a list page's rows). */ channelIds?: string[] },
  deps: ChannelDeps = {},
): Promise<StuckChannel[]> {
  const db = deps.db ?? (await getDb());
  const now = input.now ?? new Date();
  const limit = Math.max(1, Math.min(500, Math.floor(input.limit)));
  const hubs: Hub[] = input.hubId ? [await findHubById({ db, id: input.hubId })].filter((h): h is Hub => Boolean(h)) : await listHubs({ db });
  const rows: StuckChannel[] = [];
  const { channelIds } = input;
  for (const hub of hubs) {
    const t = stuckThresholds(hub.settings);
    const before = (ms: number) => new Date(now.getTime() - ms);
    const found: [StuckRule, StuckCandidate[]][] = [
      ["not_running", await listChannelsNotRunning({ db, hubId: hub.id, statuses: PRE_RUNNING, createdBefore: before(t.notRunningHours * 3_600_000), limit, channelIds })],
      ["no_api_key", await listRunningChannelsWithoutKey({ db, hubId: hub.id, statuses: RUNNING, readyBefore: before(t.noKeyMinutes * 60_000), limit, channelIds })],
      [
        "no_permission",
        hub.paymentMode === "direct" ? await listChannelsWithoutPermission({ db, hubId: hub.id, createdBefore: before(t.noPermissionHours * 3_600_000), limit, channelIds }) : [],
      ],
      ["dead_job", await listChannelsWithDeadJobs({ db, hubId: hub.id, limit, channelIds })],
    ];
    for (const [rule, candidates] of found) {
      for (const c of candidates) {
        rows.push({
          channelId: c.channelId,
          hubId: c.hubId,
          externalId: c.externalId,
          phoneNumber: c.phoneNumber,
          clientName: c.clientName,
          rule,
          since: c.since,
          ...describe(rule, c, now),
          jobId: c.jobId,
        });
      }
    }
  }
  return rows.sort((a, b) => a.since.getTime() - b.since.getTime()).slice(0, limit);
}
