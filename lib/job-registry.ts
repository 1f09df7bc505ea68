import "server-only";
import { apiKeyProvisionHandler, hubReconcileHandler } from "./channels/jobs";
import { wabaWebhookHandler } from "./channels/waba-webhook";
import { WEBHOOK_PROCESS_JOB } from "./jobs/kinds";
import type { JobRegistry } from "./jobs/start";
import type { JobHandlers } from "./jobs/types";
import { recordKeyStored } from "./onboarding/funnel";
import { hubTemplateSyncHandler, templateSyncHandler } from "./templates/jobs";
import { enqueueScheduledTemplateSyncs } from "./templates/sync-jobs";
import { webhookProcessHandler } from "./webhooks/apply";
import { webhookForwardHandler } from "./webhooks/forward";

// The composition root of background work: every job kind and the feature code that does it, and what runs every
// minute. The portal (lib/boot.ts) and `npm run worker` (scripts/worker.ts) start the runner with this; lib/jobs
// itself knows no feature, so features may queue jobs without lib/jobs importing them back.

export const jobHandlers: JobHandlers = {
  [WEBHOOK_PROCESS_JOB]: webhookProcessHandler,
  // A stored key is an onboarding funnel step: wired here, so channels and onboarding stay apart.
  "api_key.provision": apiKeyProvisionHandler({ onKeyStored: (tx, stored) => recordKeyStored(tx, stored) }),
  "hub.reconcile": hubReconcileHandler,
  "template.sync": templateSyncHandler,
  "hub.template_sync": hubTemplateSyncHandler,
  "channel.waba_webhook": wabaWebhookHandler,
  "webhook.forward": webhookForwardHandler,
};

export const jobRegistry: JobRegistry = {
  handlers: jobHandlers,
  everyMinute: [{ name: "template sync", run: (db, now) => enqueueScheduledTemplateSyncs({ db, now }) }],
};
