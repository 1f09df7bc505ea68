import "server-only";
import { findChannelById } from "@/db/queries/channel-store";
import { countTemplateSyncIntoRun, findHubById, setTemplateSyncTotal } from "@/db/queries/hubs";
import { apiKeyProvisionHandler, hubReconcileHandlerWith } from "./channels/jobs";
import { announceStuckChannels } from "./channels/stuck-events";
import { getDb } from "./db";
import { explainHubFailure, reconcileSummary, recordHubHealth, recordHubRun } from "./hub-config/health";
import { failureMessage } from "./jobs/failure";
import { wabaWebhookHandler } from "./channels/waba-webhook";
import { WEBHOOK_PROCESS_JOB } from "./jobs/kinds";
import type { JobRegistry } from "./jobs/start";
import type { JobHandlers } from "./jobs/types";
import { recordKeyStored } from "./onboarding/funnel";
import { expireAbandonedSessions } from "./onboarding/session-events";
import { hubTemplateSyncHandlerWith, templateSyncHandlerWith } from "./templates/jobs";
import { enqueueScheduledTemplateSyncs } from "./templates/sync-jobs";
import { webhookProcessHandler } from "./webhooks/apply";
import { webhookForwardHandler } from "./webhooks/forward";
import { mailSendHandler } from "./mail/queue";
import { eventDispatchHandlerWith, type EventConsumer } from "./events/dispatch";
import { eventResourceSnapshot } from "./api/resources";

// The composition root of background work: every job kind and the feature code that does it, and what runs every
// minute. The portal (lib/boot.ts) and `npm run worker` (scripts/worker.ts) start the runner with this; lib/jobs
// itself knows no feature, so features may queue jobs without lib/jobs importing them back.

export const jobHandlers: JobHandlers = {
  [WEBHOOK_PROCESS_JOB]: webhookProcessHandler,
  // A stored key is an onboarding funnel step: wired here, so channels and onboarding stay apart.
  "api_key.provision": apiKeyProvisionHandler({ onKeyStored: (tx, stored) => recordKeyStored(tx, stored) }),
  // Every reconcile's outcome is kept on its hub: the "last run" panel and the Settings badge (docs/hub-settings.md §6).
  "hub.reconcile": hubReconcileHandlerWith({
    onOutcome: async (job, outcome) => {
      const db = await getDb();
      const { hubId } = job.payload;
      const requestedBy = job.payload.requestedBy ? "staff" : "schedule";
      if (outcome.state === "done") {
        await recordHubRun({ db, hubId, kind: "reconcile", run: { jobId: job.id, state: "done", requestedBy, summary: reconcileSummary(outcome.result) } });
        await recordHubHealth({ db, hubId, health: { ok: true, source: "reconcile", message: "The last reconcile read every client and number from the Partner API." } });
      } else if (outcome.state === "skipped") {
        await recordHubRun({ db, hubId, kind: "reconcile", run: { jobId: job.id, state: "failed", requestedBy, summary: `Not run: ${outcome.reason}` } });
      } else {
        const hub = await findHubById({ db, id: hubId });
        if (!hub) return;
        const failure = explainHubFailure(outcome.error, hub);
        const words = failure.reason === "unknown" ? failureMessage(outcome.error) : failure.message;
        const next = outcome.final ? "Gave up after the last attempt; the next scheduled reconcile tries again." : `Attempt ${job.attempt} of ${job.maxAttempts}; retrying.`;
        await recordHubRun({ db, hubId, kind: "reconcile", run: { jobId: job.id, state: "failed", requestedBy, summary: `${words} ${next}` } });
        await recordHubHealth({ db, hubId, health: { ok: false, source: "reconcile", reason: failure.reason, message: words } });
      }
    },
  }),
  // A number's sync counts into its hub's running "Sync now" (reason "all"); scheduled and one-number syncs do not.
  "template.sync": templateSyncHandlerWith({
    onOutcome: async (job, outcome) => {
      if (job.payload.reason !== "all" || (!outcome.ok && !outcome.final)) return;
      const db = await getDb();
      const channel = await findChannelById({ db, id: job.payload.channelId });
      if (!channel) return;
      await countTemplateSyncIntoRun({
        db,
        hubId: channel.hubId,
        outcome: outcome.ok
          ? { ok: true, changed: (outcome.result?.created ?? 0) + (outcome.result?.changed ?? 0) }
          : { ok: false, changed: 0, error: `${channel.phoneNumber ?? channel.externalId}: ${failureMessage(outcome.error)}` },
      });
    },
  }),
  // The run is open before its numbers are queued, so none of them reports into nothing.
  "hub.template_sync": hubTemplateSyncHandlerWith({
    onStart: async (job) => {
      if (job.payload.scope !== "all") return;
      const db = await getDb();
      await recordHubRun({
        db,
        hubId: job.payload.hubId,
        kind: "templateSync",
        run: { jobId: job.id, state: "running", requestedBy: job.payload.requestedBy ? "staff" : "schedule", summary: "Syncing every number with an API key.", done: 0, failed: 0, changed: 0, errors: [] },
      });
    },
    onQueued: async (job, queued) => {
      if (job.payload.scope !== "all") return;
      await setTemplateSyncTotal({ db: await getDb(), hubId: job.payload.hubId, jobId: job.id, total: queued });
    },
  }),
  "channel.waba_webhook": wabaWebhookHandler,
  "webhook.forward": webhookForwardHandler,
  "mail.send": mailSendHandler,
  // Every platform event reaches each consumer in this list (docs/events.md §3).
  "event.dispatch": eventDispatchHandlerWith({ getDb, snapshot: eventResourceSnapshot, consumers: eventConsumers() }),
};

/** Who acts on the portal's events: outbound webhooks and staff alerts add themselves here. */
function eventConsumers(): EventConsumer[] {
  return [];
}

export const jobRegistry: JobRegistry = {
  handlers: jobHandlers,
  everyMinute: [
    { name: "template sync", run: (db, now) => enqueueScheduledTemplateSyncs({ db, now }) },
    // Onboardings that never came back end as abandoned (docs/events.md §2).
    { name: "abandoned onboardings", run: (db, now) => expireAbandonedSessions({ db, now }) },
    { name: "stuck numbers", run: (db, now) => announceStuckChannels({ db, now }) },
  ],
};
