import "server-only";
import { DrizzleQueryError } from "drizzle-orm";
import { findHubById } from "@/db/queries/hubs";
import { getWebhookEvent, setWebhookEventOutcome } from "@/db/queries/webhook-events";
import type { Database, Executor } from "@/db/client";
import type { Hub, WebhookEvent as WebhookRow } from "@/db/schema";
import { accountWebhookAppliers } from "../channels/account-events";
import { channelMetaAppliers } from "../channels/apply-meta";
import type { ChannelDeps } from "../channels/api-keys";
import { channelWebhookAppliers } from "../channels/apply-webhook";
import { getDb } from "../db";
import { parseWebhookBody, type WebhookEvent, type WebhookEventOf, type WebhookKind } from "../hub/events";
import type { MetaChange, MetaChangeOf, MetaField } from "../hub/meta-events";
import { failureMessage, withStorableErrors } from "../jobs/failure";
import type { JobHandler } from "../jobs/types";
import { publishChange } from "../live/publish";
import { logger } from "../log";
import { onboardingWebhookAppliers } from "../onboarding/apply-webhook";
import { templateMetaAppliers } from "../templates/apply-meta";
import { templateWebhookAppliers } from "../templates/apply-webhook";
import { forwardMetaAppliers } from "./forward";
import { confirmUnverifiedEvent } from "./confirm";
import { emitEvent } from "../events/emit";

// What a stored webhook delivery does: lib/hub/events.ts says what kind of event it is, and each feature's
// applier (living with its feature, knowing nothing of the others) does its part, in one transaction.

/** An applier's answer: done (and what it did) or ignored (and why); nothing when it only follows along. */
export type WebhookOutcome = { status: "done" | "ignored"; effect: string };
export type ApplyOutcome = { status: WebhookOutcome["status"] | "missing" | "skipped" | "held"; effect: string };

/** Why a delivery waits: its hub was archived when it was processed (docs/hub-settings.md §6.6). */
export const HELD_WORDS = "Held: the hub is archived. Applied when an admin restores it in Settings.";

/** The kinds features apply; `unknown` and `invalid` are recorded here, without effect; `meta` is taken apart below. */
type AppliedKind = Exclude<WebhookKind, "unknown" | "invalid" | "meta">;
type Applier<K extends AppliedKind> = (tx: Executor, hub: Hub, row: WebhookRow, event: WebhookEventOf<K>) => Promise<WebhookOutcome | void>;
type Appliers = { readonly [K in AppliedKind]?: Applier<K> };

/**
 * Every feature's appliers, in the order they run for one event: a number's own applier moves the channel before
 * the onboarding funnel reads where it got to. The first answer given is the event's outcome. A new kind of event
 * needs the protocol parser (lib/hub/events.ts) and an applier in one of these maps, nothing here.
 */
const APPLIERS = [channelWebhookAppliers, accountWebhookAppliers, templateWebhookAppliers, onboardingWebhookAppliers] as const satisfies readonly Appliers[];

// Compile-time check: every kind the parser can produce has an applier in some map above.
type KeysOf<T> = T extends unknown ? keyof T : never;
type Covered = KeysOf<(typeof APPLIERS)[number]>;
type Unapplied = Exclude<AppliedKind, Covered>;
const _everyKindApplied: [Unapplied] extends [never] ? true : { unapplied: Unapplied } = true;

/**
 * Meta's WABA webhook (docs/waba-webhook.md): one delivery holds changes, each applied by the feature it concerns,
 * in the same transaction; message traffic is forwarded as received (lib/webhooks/forward.ts).
 */
type MetaApplier<F extends MetaField> = (tx: Executor, hub: Hub, row: WebhookRow, change: MetaChangeOf<F>) => Promise<WebhookOutcome>;
type MetaAppliers = { readonly [F in MetaField]?: MetaApplier<F> };
const META_APPLIERS = [channelMetaAppliers, templateMetaAppliers, forwardMetaAppliers] as const satisfies readonly MetaAppliers[];
type MetaUnapplied = Exclude<MetaField, KeysOf<(typeof META_APPLIERS)[number]>>;
const _everyMetaFieldApplied: [MetaUnapplied] extends [never] ? true : { unapplied: MetaUnapplied } = true;

/**
 * Applies one stored webhook event (the `webhook.process` job). All effects, the inbox outcome and the live
 * notices commit in one transaction; on failure the event is marked failed (dead on the last attempt) and the
 * error goes back to the job runner for a retry.
 */
export async function applyWebhookEvent(
  webhookEventId: string,
  options: { db?: Database; finalAttempt?: boolean; deps?: ChannelDeps } = {},
): Promise<ApplyOutcome> {
  const db = options.db ?? (await getDb());
  const row = await getWebhookEvent({ db, id: webhookEventId });
  if (!row) return { status: "missing", effect: "no such webhook event" };
  if (row.status === "done" || row.status === "ignored") return { status: "skipped", effect: `already ${row.status}` };
  try {
    // Unverified (no platform secret when it came): never applied as sent, only confirmed through the Partner API.
    if (row.signatureResult === "unsigned") return await confirmUnverifiedEvent(db, row, { deps: options.deps, finalAttempt: options.finalAttempt });
    return await db.transaction(async (tx) => {
      const hub = await findHubById({ db: tx, id: row.hubId });
      if (!hub) throw new Error("webhook event of a deleted hub");
      // Stored while its hub is archived: kept, not acted on; restoring the hub queues it again (docs/hub-settings.md §6.6).
      if (hub.archivedAt) return holdWhileArchived(tx, row);
      const outcome = await applyParsed(tx, hub, row, parseWebhookBody(row.rawBody));
      await setWebhookEventOutcome({ db: tx, id: row.id, status: outcome.status, lastError: outcome.status === "ignored" ? outcome.effect : null, processedAt: new Date() });
      await publishChange(tx, { topic: "webhook", id: row.id, hubId: hub.id });
      return outcome;
    });
  } catch (error) {
    const message = failureMessage(error);
    if (options.finalAttempt) {
      // Its last attempt: dead, and staff alerts hear of it (docs/events.md §2), in one transaction.
      await db.transaction(async (tx) => {
        await setWebhookEventOutcome({ db: tx, id: row.id, status: "dead", lastError: message });
        await emitEvent(tx, { type: "inbox.webhook_dead", hubId: row.hubId, subjectId: row.id, data: { event: row.event, error: message } });
      });
    } else {
      await setWebhookEventOutcome({ db, id: row.id, status: "failed", lastError: message });
    }
    logger("webhooks").warn({ webhookEventId: row.id, event: row.event, err: message }, "webhook event processing failed");
    throw error instanceof DrizzleQueryError ? new Error(message, { cause: error }) : error;
  }
}

/** Marks a delivery held: its hub is archived (docs/hub-settings.md §6.6); setHubArchived releases it on restore. */
export async function holdWhileArchived(tx: Executor, row: WebhookRow): Promise<ApplyOutcome> {
  await setWebhookEventOutcome({ db: tx, id: row.id, status: "held", lastError: HELD_WORDS });
  await publishChange(tx, { topic: "webhook", id: row.id, hubId: row.hubId });
  return { status: "held", effect: HELD_WORDS };
}

/** The `webhook.process` job (idempotent, docs/security.md R8: an event already done or ignored is skipped). */
export const webhookProcessHandler: JobHandler<"webhook.process"> = (job) =>
  withStorableErrors(() => applyWebhookEvent(job.payload.webhookEventId, { finalAttempt: job.attempt >= job.maxAttempts }));

async function applyParsed(tx: Executor, hub: Hub, row: WebhookRow, parsed: WebhookEvent): Promise<WebhookOutcome> {
  if (parsed.kind === "invalid") return { status: "ignored", effect: parsed.reason };
  if (parsed.kind === "unknown") return { status: "done", effect: `unknown event ${parsed.event}: recorded, no effect` };
  if (parsed.kind === "meta") return applyMetaChanges(tx, hub, row, parsed.changes);
  let outcome: WebhookOutcome | undefined;
  for (const appliers of APPLIERS) {
    // The map's entry for this kind takes exactly this kind's events: the loose type only spares a cast per kind.
    const apply = (appliers as Appliers)[parsed.kind] as ((tx: Executor, hub: Hub, row: WebhookRow, event: WebhookEvent) => Promise<WebhookOutcome | void>) | undefined;
    if (!apply) continue;
    const said = await apply(tx, hub, row, parsed);
    outcome ??= said ?? undefined;
  }
  return outcome ?? { status: "done", effect: `${parsed.event}: recorded, no effect` };
}

/** Each change by its feature; the delivery is done when any change took effect, ignored when none could. */
async function applyMetaChanges(tx: Executor, hub: Hub, row: WebhookRow, changes: MetaChange[]): Promise<WebhookOutcome> {
  if (changes.length === 0) return { status: "ignored", effect: "a WABA webhook body without changes" };
  const outcomes: WebhookOutcome[] = [];
  for (const change of changes) {
    if (change.field === "unknown") {
      outcomes.push({ status: "done", effect: `${change.name}: recorded, no effect` });
      continue;
    }
    let said: WebhookOutcome | undefined;
    for (const appliers of META_APPLIERS) {
      // The map's entry for this field takes exactly this field's changes: the loose type only spares a cast per field.
      const apply = (appliers as MetaAppliers)[change.field] as MetaApplier<MetaField> | undefined;
      if (apply) said ??= await apply(tx, hub, row, change as MetaChangeOf<MetaField>);
    }
    outcomes.push(said ?? { status: "done", effect: `${change.field}: recorded, no effect` });
  }
  const effects = [...new Set(outcomes.map((o) => o.effect))].join("; ").slice(0, 1000);
  return { status: outcomes.some((o) => o.status === "done") ? "done" : "ignored", effect: effects };
}
