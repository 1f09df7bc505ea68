import "server-only";
import { z } from "zod";
import {
  countStuckCandidates,
  deadJobQueries,
  failingKeyQuery,
  prepareStuckCandidates,
  noKeyQuery,
  noPermissionQuery,
  notRunningQuery,
  restrictedQuery,
  unknownStatusQuery,
  type StuckCandidate,
  type PreparedStuckQuery,
  type StuckRuleQuery,
} from "@/db/queries/channel-store";
import type { Executor } from "@/db/client";
import { sql } from "drizzle-orm";
import { findClientNames } from "@/db/queries/client-store";
import { findHubById, listHubs } from "@/db/queries/hubs";
import type { Hub } from "@/db/schema";
import { getDb } from "../db";
import { listHubsOfThisRender } from "../hub-config/render-hubs";
import { CHANNEL_STATUSES, CHANNEL_STATUS_RANK } from "../hub/events";
import { formatMinute } from "../dates";
import type { ChannelDeps } from "./api-keys";
import { restrictionNextStep, restrictionOf, restrictionSummary } from "./restriction-words";

/**
 * Defaults of the stuck-number rules, overridable per hub in `hubs.settings.stuck`:
 * - notRunningHours 48: creating a number through Meta usually finishes within a day or two;
 * - noKeyMinutes 15: a key job runs within seconds, and its retries (5 s, 5 min…) pass 15 minutes only when failing;
 * - noPermissionHours 24: a direct-payment client who has not ticked the permission box within a day needs a reminder;
 * - unknownStatusMinutes 0: a status the portal does not know (`error`, anything new) is shown at once
 *   (docs/channel-lifecycle.md §3); a hub whose numbers pass through short-lived unknown states can wait longer.
 */
export const STUCK_DEFAULTS = { notRunningHours: 48, noKeyMinutes: 15, noPermissionHours: 24, unknownStatusMinutes: 0 } as const;

export type StuckThresholds = { notRunningHours: number; noKeyMinutes: number; noPermissionHours: number; unknownStatusMinutes: number };

const positive = (fallback: number) => z.number().positive().max(100_000).catch(fallback);
const nonNegative = (fallback: number) => z.number().min(0).max(100_000).catch(fallback);
const thresholdsSchema = z
  .object({
    notRunningHours: positive(STUCK_DEFAULTS.notRunningHours),
    noKeyMinutes: positive(STUCK_DEFAULTS.noKeyMinutes),
    noPermissionHours: positive(STUCK_DEFAULTS.noPermissionHours),
    unknownStatusMinutes: nonNegative(STUCK_DEFAULTS.unknownStatusMinutes),
  })
  .catch({ ...STUCK_DEFAULTS });

export function stuckThresholds(settings: Record<string, unknown>): StuckThresholds {
  return thresholdsSchema.parse(settings.stuck ?? {});
}

export const STUCK_RULES = ["not_running", "no_api_key", "no_permission", "dead_job", "restricted", "unknown_status", "key_failing"] as const;
export type StuckRule = (typeof STUCK_RULES)[number];

/** A rule's name for staff, as the "Needs attention" page's filters read. */
export const STUCK_RULE_WORDS: Record<StuckRule, string> = {
  not_running: "Not running yet",
  no_api_key: "No API key",
  no_permission: "No permission",
  dead_job: "Stopped tasks",
  restricted: "Restricted",
  unknown_status: "Unknown status",
  key_failing: "Key creation failing",
};

export const isStuckRule = (value: unknown): value is StuckRule => typeof value === "string" && (STUCK_RULES as readonly string[]).includes(value);
export type StuckAction = "retry_key" | "resend_permission_invite" | "replay_job" | "resolve_restriction" | null;

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
    case "restricted": {
      const r = restrictionOf(c.flags ?? {});
      return r
        ? { explanation: restrictionSummary(r), nextStep: restrictionNextStep(r), action: "resolve_restriction" }
        : { explanation: "360dialog reported this number restricted, without saying why.", nextStep: "Check the number in the 360dialog hub and in WhatsApp Manager, then mark it resolved here.", action: "resolve_restriction" };
    }
    case "unknown_status":
      return {
        explanation:
          c.status === "error"
            ? `360dialog reports this number in "error" since ${ago} ago. The client sees that you are looking into it.`
            : `360dialog reports this number as "${c.status}", a status this portal does not know, since ${ago} ago. The client sees that you are looking into it.`,
        nextStep: "Open the number in the 360dialog hub to see what it needs, or ask 360dialog support. It leaves this list when 360dialog reports a known status again.",
        action: null,
      };
    case "key_failing": {
      const next = c.jobRunAt ? `${formatMinute(c.jobRunAt)} UTC` : "soon";
      return {
        explanation: `Creating the API key failed ${c.jobAttempts ?? 0} time${c.jobAttempts === 1 ? "" : "s"} (of ${c.jobMaxAttempts ?? "?"}); the next try is at ${next}. The hub answered: ${c.jobError ?? "nothing"}.`,
        nextStep: "Retry now once the cause is fixed (permission, hub connection in Settings), or wait for the next try.",
        action: "retry_key",
      };
    }
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

/** Where a page of the "Needs attention" list continues: the last row's (since, channel, rule), opaque. */
export type StuckPageCursor = { since: Date; channelId: string; rule: StuckRule };

const order = (a: Pick<StuckChannel, "since" | "channelId" | "rule">, b: Pick<StuckChannel, "since" | "channelId" | "rule">): number =>
  a.since.getTime() - b.since.getTime() || (a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : 0) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);

export function encodeStuckCursor(row: Pick<StuckChannel, "since" | "channelId" | "rule">): string {
  return Buffer.from(JSON.stringify([row.since.toISOString(), row.channelId, row.rule]), "utf8").toString("base64url");
}

const cursorSchema = z.tuple([z.iso.datetime(), z.uuid(), z.string().max(40)]);

/** The cursor a page link carries, or undefined when it is not one (the first page then). */
export function decodeStuckCursor(text: string | undefined): StuckPageCursor | undefined {
  if (!text) return undefined;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    return parsed.success ? { since: new Date(parsed.data[0]), channelId: parsed.data[1], rule: parsed.data[2] as StuckRule } : undefined;
  } catch {
    return undefined;
  }
}

type StuckInput = {
  hubId?: string;
  limit: number;
  now?: Date;
  /** Only these channels (a list page's rows). */
  channelIds?: string[];
  after?: StuckPageCursor;
  /** Only these rules (the "Needs attention" page's filter); every rule when absent. */
  rules?: readonly StuckRule[];
};

/**
 * Stuck numbers, oldest first, from a few bounded index-led queries per hub (never a count over all channels);
 * `after` continues a page (cursor paging by since, channel, rule, as other lists page).
 */
export async function listStuckChannels(input: StuckInput, deps: ChannelDeps = {}): Promise<StuckChannel[]> {
  return (await findStuck(input, false, deps)).rows;
}

/**
 * A page of the list and the true number of entries per rule (every page together, whatever `rules` shows): on a
 * first page each rule's query brings its own total (`count(*) over ()`), so the counts cost no query of their
 * own; a later page counts apart (countStuckChannels), since its queries start at the cursor.
 */
export async function listStuckChannelsWithCounts(
  input: Omit<StuckInput, "channelIds">,
  deps: ChannelDeps = {},
): Promise<{ rows: StuckChannel[]; total: number; byRule: Record<StuckRule, number> }> {
  if (input.after) {
    const [rows, counts] = await Promise.all([listStuckChannels(input, deps), countStuckChannels(input, deps)]);
    return { rows, ...counts };
  }
  const { rows, byRule } = await findStuck(input, true, deps);
  return { rows, total: sumOf(byRule), byRule };
}

const noCounts = (): Record<StuckRule, number> => ({ not_running: 0, no_api_key: 0, no_permission: 0, dead_job: 0, restricted: 0, unknown_status: 0, key_failing: 0 });
const sumOf = (byRule: Record<StuckRule, number>) => Object.values(byRule).reduce((a, b) => a + b, 0);

/** The page statements built so far, per database (or transaction) and shape (findStuck). */
const statements = new WeakMap<Executor, Map<string, PreparedStuckQuery>>();

function stuckStatement(db: Executor, shape: string, build: () => StuckRuleQuery[]): PreparedStuckQuery {
  let ofDb = statements.get(db);
  if (!ofDb) statements.set(db, (ofDb = new Map()));
  let statement = ofDb.get(shape);
  if (!statement) ofDb.set(shape, (statement = prepareStuckCandidates(build(), "stuck_channels")));
  return statement;
}

/** One rule's queries, their values as placeholders named `<key>.<value>` (and the page's `ids`, `after.*`). */
function ruleQueries(db: Executor, key: string, rule: StuckRule, narrowed: boolean, paged: boolean): StuckRuleQuery[] {
  const at = (name: string) => sql.placeholder(`${key}.${name}`);
  const common = {
    db,
    rule,
    hubId: at("hub"),
    limit: at("limit"),
    ...(narrowed ? { channelIds: sql.placeholder("ids") } : {}),
    ...(paged ? { after: { since: sql.placeholder("after.since"), channelId: sql.placeholder("after.id") } } : {}),
  };
  switch (rule) {
    case "not_running":
      return [notRunningQuery({ ...common, statuses: PRE_RUNNING, createdBefore: at("before") })];
    case "no_api_key":
      return [noKeyQuery({ ...common, statuses: RUNNING, readyBefore: at("before") })];
    case "no_permission":
      return [noPermissionQuery({ ...common, createdBefore: at("before") })];
    case "dead_job":
      return deadJobQueries(common);
    case "restricted":
      return [restrictedQuery(common)];
    case "unknown_status":
      return [unknownStatusQuery({ ...common, knownStatuses: CHANNEL_STATUSES, changedBefore: at("before") })];
    case "key_failing":
      return [failingKeyQuery(common)];
  }
}

async function findStuck(input: StuckInput, counted: boolean, deps: ChannelDeps): Promise<{ rows: StuckChannel[]; byRule: Record<StuckRule, number> }> {
  const db = deps.db ?? (await getDb());
  const now = input.now ?? new Date();
  const limit = Math.max(1, Math.min(500, Math.floor(input.limit)));
  const hubs: Hub[] = input.hubId ? [await findHubById({ db, id: input.hubId })].filter((h): h is Hub => Boolean(h)) : deps.db ? await listHubs({ db }) : await listHubsOfThisRender();
  const { channelIds } = input;
  const after = input.after ? { since: input.after.since, channelId: input.after.channelId } : undefined;
  const shown = (rule: StuckRule) => !input.rules || input.rules.includes(rule);
  // One more per rule than asked: rows the cursor names exactly are dropped below. A rule the page does not show
  // runs only for its total (counted), with one row, as a window count needs a row to ride on.
  const perOf = (rule: StuckRule) => (shown(rule) ? limit + 1 : 1);
  // Every rule of every hub in one statement (a union of small index-led queries): one round trip for the page.
  // Its SQL depends only on the page's shape (which rules of which hubs, a cursor, a row filter), so it is built
  // once per shape and database and run with this page's values in its placeholders.
  const values: Record<string, unknown> = {};
  const members = hubs.flatMap((hub, i) => {
    const t = stuckThresholds(hub.settings);
    const before = (ms: number) => new Date(now.getTime() - ms).toISOString();
    const rules: [StuckRule, Record<string, unknown>][] = [
      ["not_running", { before: before(t.notRunningHours * 3_600_000) }],
      ["no_api_key", { before: before(t.noKeyMinutes * 60_000) }],
      ...(hub.paymentMode === "direct" ? [["no_permission", { before: before(t.noPermissionHours * 3_600_000) }] as [StuckRule, Record<string, unknown>]] : []),
      ["dead_job", {}],
      ["restricted", {}],
      ["unknown_status", { before: before(t.unknownStatusMinutes * 60_000 - 1) }],
      ["key_failing", {}],
    ];
    return rules
      .filter(([rule]) => counted || shown(rule))
      .map(([rule, own]) => {
        const key = `h${i}.${rule}`;
        Object.assign(values, { [`${key}.hub`]: hub.id, [`${key}.limit`]: perOf(rule) }, ...Object.entries(own).map(([k, v]) => ({ [`${key}.${k}`]: v })));
        return { key, rule };
      });
  });
  if (channelIds) values.ids = channelIds;
  if (after) Object.assign(values, { "after.since": after.since.toISOString(), "after.id": after.channelId });
  const shape = JSON.stringify([members.map((m) => m.key), Boolean(channelIds), Boolean(after)]);
  const candidates = await stuckStatement(db, shape, () => members.flatMap(({ key, rule }) => ruleQueries(db, key, rule, Boolean(channelIds), Boolean(after)))).execute(values);
  const byRule = noCounts();
  // Each query's rows carry its total: one per hub, rule and (dead_job is two queries) job kind.
  const totals = new Map<string, { rule: StuckRule; n: number }>();
  const found: { rule: StuckRule; c: StuckCandidate }[] = [];
  for (const c of candidates) {
    const rule = c.rule as StuckRule;
    totals.set(`${c.hubId}:${rule}:${c.jobKind ?? ""}`, { rule, n: c.total });
    if (shown(rule)) found.push({ rule, c });
  }
  for (const { rule, n } of totals.values()) byRule[rule] += n;
  const cursor = input.after;
  const page = found
    .filter(({ rule, c }) => !cursor || order({ since: c.since, channelId: c.channelId, rule }, cursor) > 0)
    .sort((a, b) => order({ ...a.c, rule: a.rule }, { ...b.c, rule: b.rule }))
    .slice(0, limit);
  const names = await findClientNames({ db, ids: page.flatMap(({ c }) => (c.clientId ? [c.clientId] : [])) });
  const rows = page.map(({ rule, c }) => ({
    channelId: c.channelId,
    hubId: c.hubId,
    externalId: c.externalId,
    phoneNumber: c.phoneNumber,
    clientName: c.clientId ? (names.get(c.clientId) ?? null) : null,
    rule,
    since: c.since,
    ...describe(rule, c, now),
    jobId: c.jobId,
  }));
  return { rows, byRule };
}

/**
 * The true number of entries the "Needs attention" list holds (every page together), per rule and in all: one
 * count per rule and hub, with the list's own conditions (db/queries/channel-store.ts countStuckCandidates).
 */
export async function countStuckChannels(input: { hubId?: string; now?: Date }, deps: ChannelDeps = {}): Promise<{ total: number; byRule: Record<StuckRule, number> }> {
  const db = deps.db ?? (await getDb());
  const now = input.now ?? new Date();
  const hubs: Hub[] = input.hubId ? [await findHubById({ db, id: input.hubId })].filter((h): h is Hub => Boolean(h)) : deps.db ? await listHubs({ db }) : await listHubsOfThisRender();
  const byRule = noCounts();
  for (const hub of hubs) {
    const t = stuckThresholds(hub.settings);
    const before = (ms: number) => new Date(now.getTime() - ms);
    const counts = await countStuckCandidates({
      db,
      hubId: hub.id,
      notRunning: { statuses: PRE_RUNNING, createdBefore: before(t.notRunningHours * 3_600_000) },
      noKey: { statuses: RUNNING, readyBefore: before(t.noKeyMinutes * 60_000) },
      noPermission: hub.paymentMode === "direct" ? { createdBefore: before(t.noPermissionHours * 3_600_000) } : null,
      unknownStatus: { knownStatuses: CHANNEL_STATUSES, changedBefore: before(t.unknownStatusMinutes * 60_000 - 1) },
    });
    for (const rule of Object.keys(byRule) as StuckRule[]) byRule[rule] += counts[rule];
  }
  return { total: sumOf(byRule), byRule };
}
