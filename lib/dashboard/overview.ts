import "server-only";
import { countChannelsByStatus } from "@/db/queries/channel-list";
import { listRecentlyRejectedTemplates, listRecentWebhookFailures, listTemplatesAwaitingReview } from "@/db/queries/overview";
import { listStuckChannelsWithCounts } from "../channels/stuck";
import { getDb } from "../db";
import { listHubsOfThisRender } from "../hub-config/render-hubs";
import { loadFunnel, parseOverviewQuery } from "./funnel";

export type { TemplateCardRow, WebhookFailureRow } from "@/db/queries/overview";

export const CARD_LIMIT = 5;
/**
 * The oldest entries of "Needs attention" the Overview shows, with the true count of all: the whole list, paged and
 * filtered by reason, is its own page (lib/dashboard/attention.ts), as the other cards show a few and link on.
 */
export const OVERVIEW_STUCK_ROWS = 10;
const REJECTED_DAYS = 7;

// Stored lowercase by lib/templates; Meta's webhook spells them uppercase (docs/hub-contract.md §6), so both are matched.
const withUpper = (statuses: string[]) => statuses.flatMap((s) => [s, s.toUpperCase()]);
export const AWAITING_REVIEW = withUpper(["submitted", "pending", "in_appeal"]);
export const REJECTED = withUpper(["rejected"]);

/** Everything the Overview shows for its URL (period, hub): each part an index-led query, run side by side. */
export async function loadOverview(raw: Record<string, string | string[] | undefined>, now: Date = new Date()) {
  const query = parseOverviewQuery(raw, now);
  const db = await getDb();
  // The last reconcile rides along: the Overview's "Reconcile now" shows its outcome beside it (docs/hub-settings.md §6.5).
  const allHubs = (await listHubsOfThisRender()).map((h) => ({ id: h.id, name: h.name, archived: h.archivedAt !== null, lastReconcile: h.lastRuns.reconcile ?? null }));
  const hub = query.hubId ? allHubs.find((h) => h.id === query.hubId) : undefined;
  const notes = [...query.notes];
  if (query.hubId && !hub) notes.push("That hub does not exist (any more). Showing all hubs.");
  const hubIds = hub ? [hub.id] : allHubs.map((h) => h.id);

  const [stuck, counts, funnel, webhookFailures, awaitingReview, rejected] = await Promise.all([
    listStuckChannelsWithCounts({ hubId: hub?.id, limit: OVERVIEW_STUCK_ROWS, now }),
    countChannelsByStatus({ db, hubId: hub?.id }),
    loadFunnel({ hubIds, period: query.period }),
    listRecentWebhookFailures({ db, hubIds, limit: CARD_LIMIT }),
    listTemplatesAwaitingReview({ db, hubIds, statuses: AWAITING_REVIEW, limit: CARD_LIMIT }),
    listRecentlyRejectedTemplates({ db, hubIds, statuses: REJECTED, since: new Date(now.getTime() - REJECTED_DAYS * 86_400_000), limit: CARD_LIMIT }),
  ]);
  return {
    period: query.period,
    rejectedCustom: query.rejectedCustom,
    hub: hub ?? null,
    notes,
    hubs: allHubs,
    stuck: stuck.rows,
    stuckTotal: stuck.total,
    counts,
    funnel,
    webhookFailures,
    awaitingReview,
    rejected,
    now,
  };
}
