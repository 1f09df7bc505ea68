import "server-only";
import { z } from "zod";
import { readFunnel, type FunnelSample } from "@/db/queries/funnel";
import { formatDay } from "../dates";
import { getDb } from "../db";

/*
 * The onboarding funnel of a period (the Overview's definition; the page's help text says the same):
 * - Cohort: onboarding sessions STARTED in the period (popup opened, or Connect Button, direct link or Embedded
 *   Signup started), in the chosen hub or all hubs. Their later steps count whenever they happened, up to now.
 * - Steps, each counted once per session (the first time; a step recorded twice counts once; a session that
 *   skipped a step counts at the steps it did record): back from 360dialog (redirect received, or Embedded
 *   Signup finished) → client confirmed → number created → number running → API key stored (any of the
 *   session's numbers).
 * - "Link opened" comes before any session: invite-link opens IN the period (the recorder folds repeats of one
 *   link within a minute). Its conversion is the sessions started from an invite link ÷ link opens.
 * - Conversion: a step ÷ the step before, and ÷ sessions started.
 * - Median time: percentile_cont(0.5) of the per-session time from the step before, over the sessions that
 *   recorded both (for "started": from the latest open of its invite link).
 * - Above SAMPLE_SIZE sessions, the steps and medians come from a uniform random sample of at least SAMPLE_SIZE
 *   (session ids are random v4 uuids; those whose first byte is below a bound form the sample), scaled to the
 *   exact cohort count: the cost stays flat at any scale, the counts show "≈".
 */

export const SAMPLE_SIZE = 2_000;
export const MAX_CUSTOM_DAYS = 366;
const DAY = 86_400_000;

export const PRESETS = { "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY, "90d": 90 * DAY } as const;
export type Preset = keyof typeof PRESETS;
export const DEFAULT_PRESET: Preset = "30d";
const PRESET_WORDS: Record<Preset, string> = { "24h": "Last 24 hours", "7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days" };

export type FunnelPeriod =
  | { kind: "preset"; preset: Preset; from: Date; to: Date; label: string }
  | { kind: "custom"; fromDay: string; toDay: string; from: Date; to: Date; label: string };

/** Custom dates that could not be used: kept as typed, with the reason, so the form shows them instead of clearing them. */
export type RejectedCustom = { from: string; to: string; error: string };

export type OverviewQuery = { period: FunnelPeriod; hubId: string | undefined; notes: string[]; rejectedCustom?: RejectedCustom };

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;
const day = z.iso.date();

function presetPeriod(preset: Preset, now: Date): FunnelPeriod {
  return { kind: "preset", preset, from: new Date(now.getTime() - PRESETS[preset]), to: now, label: PRESET_WORDS[preset] };
}

/** Why a custom from/to (UTC days, both inclusive) cannot be used, or the period. */
function customPeriod(fromDay: string | undefined, toDay: string | undefined, now: Date): FunnelPeriod | string {
  const today = now.toISOString().slice(0, 10);
  const to = toDay ?? today;
  if (!fromDay || !day.safeParse(fromDay).success || !day.safeParse(to).success) return "The custom dates were not valid (use YYYY-MM-DD with a start date).";
  const from = new Date(`${fromDay}T00:00:00Z`);
  const end = new Date(new Date(`${to}T00:00:00Z`).getTime() + DAY);
  if (end <= from) return "The custom period ended before it started.";
  if (end.getTime() - from.getTime() > MAX_CUSTOM_DAYS * DAY) return `A custom period can span at most ${MAX_CUSTOM_DAYS} days.`;
  const label = fromDay === to ? `${formatDay(from)} (UTC)` : `${formatDay(from)} – ${formatDay(new Date(end.getTime() - DAY))} (UTC)`;
  return { kind: "custom", fromDay, toDay: to, from, to: end, label };
}

/**
 * The Overview's URL: `?period=24h|7d|30d|90d`, or `?from=YYYY-MM-DD&to=YYYY-MM-DD` (UTC days, inclusive; `to`
 * defaults to today), and `hub=<id>`. Anything unusable falls back to the last 30 days / all hubs with a note.
 */
export function parseOverviewQuery(raw: Record<string, string | string[] | undefined>, now: Date): OverviewQuery {
  const notes: string[] = [];
  const periodParam = one(raw.period);
  const fromParam = one(raw.from);
  const toParam = one(raw.to);
  const hubParam = one(raw.hub);
  let period: FunnelPeriod | null = null;
  let rejectedCustom: RejectedCustom | undefined;

  if (periodParam !== undefined && periodParam !== "custom") {
    if (Object.hasOwn(PRESETS, periodParam)) period = presetPeriod(periodParam as Preset, now);
    else notes.push("That period is not one of 24 h, 7 d, 30 d or 90 d.");
  } else if (fromParam !== undefined || toParam !== undefined || periodParam === "custom") {
    const custom = customPeriod(fromParam, toParam, now);
    if (typeof custom === "string") {
      notes.push(custom);
      rejectedCustom = { from: (fromParam ?? "").slice(0, 40), to: (toParam ?? "").slice(0, 40), error: custom };
    } else period = custom;
  }
  if (!period) {
    period = presetPeriod(DEFAULT_PRESET, now);
    if (notes.length > 0) notes[notes.length - 1] += ` Showing the ${period.label.toLowerCase()} instead.`;
  }

  let hubId: string | undefined;
  if (hubParam !== undefined) {
    // Any 8-4-4-4-12 hex id: it is matched against the stored hubs next, so no version check is needed.
    if (z.guid().safeParse(hubParam).success) hubId = hubParam.toLowerCase();
    else notes.push("That hub is not valid. Showing all hubs.");
  }
  return { period, hubId, notes, ...(rejectedCustom ? { rejectedCustom } : {}) };
}

/**
 * How many of the 256 values of a random v4 uuid's first byte to sample so that at least `fraction` of the
 * sessions fall in: the sample is the sessions whose id's first byte is below it (db/queries/funnel.ts).
 */
export function sampleBuckets(fraction: number): number {
  return Math.min(256, Math.max(1, Math.ceil(fraction * 256)));
}

export type FunnelStepKey = "link_opened" | "started" | "returned" | "client_confirmed" | "channel_created" | "channel_running" | "key_stored";

export type FunnelStep = {
  key: FunnelStepKey;
  label: string;
  help: string;
  count: number;
  /** This step ÷ the step before (for "started": sessions from an invite link ÷ link opens); null without a base. */
  ofPrevious: number | null;
  /** This step ÷ sessions started; null for link opens and when nothing started. */
  ofStarted: number | null;
  /** Median seconds from the step before, over the sessions that recorded both. */
  medianSeconds: number | null;
};

export type Funnel = {
  steps: FunnelStep[];
  started: number;
  /** Set when the steps come from a sample of the cohort. */
  sample: { size: number; of: number } | null;
  empty: boolean;
};

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/** Assembles the chart's steps from the exact totals and the (sampled) per-session steps. */
export function funnelSteps(totals: { started: number; linkOpened: number }, s: FunnelSample): FunnelStep[] {
  const scale = s.sessions > 0 ? totals.started / s.sessions : 0;
  const est = (n: number) => Math.round(n * scale);
  const m = s.medianSeconds;
  const chain: [FunnelStepKey, string, string, number, number | null][] = [
    ["returned", "Back from 360dialog", "The redirect came back (or Embedded Signup finished).", s.returned, m.returned],
    ["client_confirmed", "Client confirmed", "360dialog confirmed the client and the numbers it listed.", s.clientConfirmed, m.clientConfirmed],
    ["channel_created", "Number created", "At least one number of the session exists at 360dialog.", s.channelCreated, m.channelCreated],
    ["channel_running", "Number running", "At least one number of the session is running.", s.channelRunning, m.channelRunning],
    ["key_stored", "API key stored", "The portal stored an API key for one of the session's numbers.", s.keyStored, m.keyStored],
  ];
  const steps: FunnelStep[] = [
    {
      key: "link_opened",
      label: "Link opened",
      help: "Invite-link opens in the period (repeats within a minute count once).",
      count: totals.linkOpened,
      ofPrevious: null,
      ofStarted: null,
      medianSeconds: null,
    },
    {
      key: "started",
      label: "Popup opened",
      help: "Onboarding sessions started in the period: the popup opened (or the Connect Button, a direct link or Embedded Signup started).",
      count: totals.started,
      ofPrevious: ratio(est(s.fromInvite), totals.linkOpened),
      ofStarted: totals.started > 0 ? 1 : null,
      medianSeconds: m.started,
    },
  ];
  let previous = s.sessions;
  for (const [key, label, help, reached, median] of chain) {
    steps.push({ key, label, help, count: est(reached), ofPrevious: ratio(reached, previous), ofStarted: ratio(reached, s.sessions), medianSeconds: median });
    previous = reached;
  }
  return steps;
}

/** The funnel of a period over the given hubs: index-led counts, then the (sampled) cohort's steps. */
export async function loadFunnel(input: { hubIds: readonly string[]; period: FunnelPeriod }): Promise<Funnel> {
  const db = await getDb();
  const { started, linkOpened, steps } = await readFunnel({ db, hubIds: input.hubIds, from: input.period.from, to: input.period.to }, (started) =>
    started > SAMPLE_SIZE ? sampleBuckets(SAMPLE_SIZE / started) : null,
  );
  return {
    steps: funnelSteps({ started, linkOpened }, steps),
    started,
    sample: started > SAMPLE_SIZE ? { size: steps.sessions, of: started } : null,
    empty: started === 0 && linkOpened === 0,
  };
}

/** "42 s", "3 min", "5.5 h", "2 days": the median between two bars. */
export function durationWords(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  const hours = s / 3600;
  if (hours < 48) return `${hours < 10 ? Math.round(hours * 10) / 10 : Math.round(hours)} h`;
  const days = hours / 24;
  return `${days < 10 ? Math.round(days * 10) / 10 : Math.round(days)} days`;
}

export function percentWords(value: number | null): string {
  if (value === null) return "—";
  const pct = value * 100;
  if (pct > 0 && pct < 1) return "<1%";
  return `${pct < 10 && pct % 1 !== 0 ? pct.toFixed(1) : Math.round(pct)}%`;
}
