import "server-only";
import { z } from "zod";
import { decodeStuckCursor, encodeStuckCursor, isStuckRule, listStuckChannelsWithCounts, type StuckChannel, type StuckRule } from "../channels/stuck";
import { formatMinute } from "../dates";
import { listHubsOfThisRender } from "../hub-config/render-hubs";

/** Rows per page of the "Needs attention" page (the Overview shows only the oldest few: lib/dashboard/overview.ts). */
export const ATTENTION_PAGE_SIZE = 50;

// An empty value is the form's "any" choice (its GET form sends every field), not a wrong one.
const one = (value: string | string[] | undefined) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * Everything the "Needs attention" page shows for its URL: `?hub=<id>` (one hub, else all), `?rule=<rule>` (one
 * rule, else all) and `?stuck=<cursor>` (where the page continues). The counts per rule are of every page together
 * and ignore the rule filter, so each filter link says how many it holds. Anything unusable falls back with a note.
 */
export async function loadAttention(raw: Record<string, string | string[] | undefined>, now: Date = new Date()) {
  const notes: string[] = [];
  const hubs = (await listHubsOfThisRender()).map((h) => ({ id: h.id, name: h.name }));
  const hubParam = one(raw.hub);
  let hub: { id: string; name: string } | undefined;
  if (hubParam !== undefined) {
    hub = z.guid().safeParse(hubParam).success ? hubs.find((h) => h.id === hubParam.toLowerCase()) : undefined;
    if (!hub) notes.push("That hub does not exist (any more). Showing all hubs.");
  }
  const ruleParam = one(raw.rule);
  let rule: StuckRule | undefined;
  if (ruleParam !== undefined) {
    if (isStuckRule(ruleParam)) rule = ruleParam;
    else notes.push("That is not one of the reasons below. Showing every reason.");
  }
  const stuckParam = one(raw.stuck);
  const after = decodeStuckCursor(stuckParam);
  if (stuckParam !== undefined && !after) notes.push("That page link is not valid (any more). Showing the first page.");

  const { rows: page, ...counts } = await listStuckChannelsWithCounts({ hubId: hub?.id, limit: ATTENTION_PAGE_SIZE + 1, now, after, ...(rule ? { rules: [rule] } : {}) });
  const rows = page.slice(0, ATTENTION_PAGE_SIZE);
  return {
    notes,
    hubs,
    hub: hub ?? null,
    rule: rule ?? null,
    rows,
    next: page.length > ATTENTION_PAGE_SIZE ? encodeStuckCursor(rows.at(-1)!) : null,
    paged: Boolean(after),
    total: counts.total,
    byRule: counts.byRule,
    now,
  };
}

/** A "Needs attention" entry as the rows' client component takes it (app/(dashboard)/dashboard/stuck-actions.tsx). */
export function stuckRowData(s: StuckChannel) {
  return {
    key: `${s.channelId}-${s.rule}`,
    channelId: s.channelId,
    label: s.phoneNumber ?? s.externalId,
    clientName: s.clientName,
    explanation: s.explanation,
    nextStep: s.nextStep,
    since: formatMinute(s.since),
    action: s.action,
    jobId: s.jobId,
  };
}
