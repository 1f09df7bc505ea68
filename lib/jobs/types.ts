import type { Executor } from "@/db/client";

// The contract between the job runner (lib/jobs) and the features that give it work (lib/webhooks,
// lib/channels, lib/templates). Handlers must be idempotent: a job can run again after a crash (docs/security.md R8).

export type JobKinds = {
  /** Apply one stored webhook event (webhook_events.id). */
  "webhook.process": { webhookEventId: string };
  /** Generate, store and configure the API key of one channel for one permission grant (docs/security.md R6). */
  "api_key.provision": { channelId: string; grantId: string; requestedBy?: string };
  /** List the hub's clients and channels and heal drift (docs/security.md R9). */
  "hub.reconcile": { hubId: string; requestedBy?: string };
  /** Read one number's templates from the Messaging API and record every status change. */
  "template.sync": { channelId: string; requestedBy?: string; reason?: string };
  /** Queue `template.sync` for a hub's numbers: those awaiting review (schedule) or all with a key ("Sync now"). */
  "hub.template_sync": { hubId: string; scope: "awaiting" | "all"; requestedBy?: string };
  /** Point one number's WABA webhook at the portal, with the hub's secret header (docs/waba-webhook.md §2). */
  "channel.waba_webhook": { channelId: string; reason: "key" | "reconcile" | "secret" | "manual" };
  /** Forward one stored WABA delivery of message traffic, byte for byte, to the hub's messaging URL (docs/waba-webhook.md §5). */
  "webhook.forward": { webhookEventId: string };
  /** Send one mail (lib/mail/queue.ts); never carries a secret (docs/mail.md). */
  "mail.send": { to: string | string[]; subject: string; text: string; html?: string };
  /** Freeze one platform event's resource and hand it to every consumer (lib/events/dispatch.ts, docs/events.md). */
  "event.dispatch": { eventId: string };
};

export type JobKind = keyof JobKinds;

/** Every kind at run time (tests build handler sets from it); the `satisfies` fails the build when one is missing. */
export const JOB_KINDS = Object.keys({
  "webhook.process": true,
  "api_key.provision": true,
  "hub.reconcile": true,
  "template.sync": true,
  "hub.template_sync": true,
  "channel.waba_webhook": true,
  "webhook.forward": true,
  "mail.send": true,
  "event.dispatch": true,
} satisfies Record<JobKind, true>) as JobKind[];

export type JobContext<K extends JobKind = JobKind> = {
  id: string;
  kind: K;
  payload: JobKinds[K];
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
};

export type JobHandler<K extends JobKind = JobKind> = (job: JobContext<K>) => Promise<void>;

export type JobHandlers = { [K in JobKind]: JobHandler<K> };

export type EnqueueInput<K extends JobKind = JobKind> = {
  kind: K;
  payload: JobKinds[K];
  /** Work that must happen once: a second enqueue with the same key is a no-op while the first exists. */
  uniqueKey?: string;
  runAt?: Date;
  maxAttempts?: number;
};

export type Enqueue = <K extends JobKind>(db: Executor, input: EnqueueInput<K>) => Promise<{ id: string; created: boolean }>;
