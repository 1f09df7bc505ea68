import "server-only";
import { randomUUID } from "node:crypto";
import type { Database, Executor } from "@/db/client";
import {
  earlierUndelivered,
  endpointsForEvent,
  findDelivery,
  findEndpoint,
  insertDeliveries,
  lockDueDelivery,
  pendingSuccessors,
  recordAttempt,
  releaseDelivery,
  updateEndpointRow,
} from "@/db/queries/outbound";
import { findPlatformEvent } from "@/db/queries/platform-events";
import type { OutboundDelivery, PlatformEvent, WebhookEndpoint } from "@/db/schema";
import { getEnv } from "../env";
import { EVENT_CATALOGUE, isEventType } from "../events/catalogue";
import type { EventConsumer } from "../events/dispatch";
import { emitEvent } from "../events/emit";
import { backoff } from "../jobs/backoff";
import { enqueueJob } from "../jobs/enqueue";
import type { JobHandler } from "../jobs/types";
import { logger } from "../log";
import { openSecret } from "../secrets";
import { eventPayload } from "./payload";
import { postSigned, type PostResult } from "./post";
import { signPayload } from "./signing";

// Delivery of the portal's events to the partner's endpoints (docs/outbound-webhooks.md §2): fan-out makes one
// delivery per endpoint and event (unique, so a re-run dispatch adds nothing); each delivery has its own schedule
// (exponential backoff with jitter, lib/jobs/backoff.ts, for up to 3 days) and is attempted by an `outbound.deliver`
// job. At least once: an attempt whose worker dies is attempted again with the same `webhook-id`.

const DAY_MS = 86_400_000;

export type OutboundDeps = {
  db: Database;
  now?: () => Date;
  random?: () => number;
  /** How long a delivery is retried, and how long an endpoint may fail before it is disabled: 3 days. */
  retryWindowMs?: number;
  disableAfterMs?: number;
  timeoutMs?: number;
  allowPrivate?: boolean;
  post?: typeof postSigned;
};

/** An event not yet fanned out holds later ones of its subject back this long at most (its dispatch is a moment away). */
const UNDISPATCHED_WAIT_MS = 15 * 60_000;
/** Longest a waiting delivery sleeps before looking again (the one before it also wakes it when it ends). */
const WAIT_RECHECK_MS = 60_000;

/** The AAD of an endpoint's sealed secret: names the row and column, so a value copied elsewhere does not open. */
export function secretAad(endpointId: string, which: "current" | "previous"): string {
  return which === "current" ? `webhook_endpoints:${endpointId}:secret_enc` : `webhook_endpoints:${endpointId}:previous_secret_enc`;
}

export function deliveryJobKey(deliveryId: string, at: Date): string {
  return `outbound.deliver:${deliveryId}:${at.getTime()}:${randomUUID().slice(0, 8)}`;
}

export async function queueDeliveryAttempt(tx: Executor, deliveryId: string, runAt: Date): Promise<void> {
  await enqueueJob(tx, { kind: "outbound.deliver", payload: { deliveryId }, uniqueKey: deliveryJobKey(deliveryId, runAt), runAt, maxAttempts: 5 });
}

/** The public event → one delivery per matching endpoint, each with its first attempt queued, in one transaction. */
export async function fanOutEvent(db: Database, event: PlatformEvent, now: Date = new Date()): Promise<number> {
  if (!isEventType(event.type) || !EVENT_CATALOGUE[event.type].public) return 0;
  return db.transaction(async (tx) => {
    const endpoints = await endpointsForEvent({ db: tx, type: event.type, hubId: event.hubId });
    const created = await insertDeliveries({
      db: tx,
      deliveries: endpoints.map((e) => ({
        endpointId: e.id,
        eventId: event.id,
        messageId: event.id,
        eventType: event.type,
        eventSeq: event.seq,
        subjectType: event.subjectType,
        subjectId: event.subjectId,
      })),
    });
    for (const d of created) await queueDeliveryAttempt(tx, d.id, now);
    return created.length;
  });
}

/** The outbound consumer of lib/events/dispatch.ts. */
export function outboundConsumer(getDb: () => Promise<Database>): EventConsumer {
  return { name: "outbound webhooks", consume: async (event) => void (await fanOutEvent(await getDb(), event)) };
}

/** The signing secrets in force: the current one, and the previous one during its overlap window. */
export function endpointSecrets(endpoint: WebhookEndpoint, now: Date): string[] {
  const secrets = [openSecret(endpoint.secretEnc, secretAad(endpoint.id, "current"))];
  if (endpoint.previousSecretEnc && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
    secrets.push(openSecret(endpoint.previousSecretEnc, secretAad(endpoint.id, "previous")));
  }
  return secrets;
}

export type AttemptOutcome = "delivered" | "retry" | "dead" | "waiting" | "skipped";

/**
 * One attempt of one delivery, if it is due and nobody else holds it. Never throws for the receiver's failure
 * (that is recorded and rescheduled here); a database failure throws, and the job is retried.
 */
export async function attemptDelivery(deliveryId: string, deps: OutboundDeps): Promise<AttemptOutcome> {
  const { db } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const env = getEnv();
  const timeoutMs = deps.timeoutMs ?? env.OUTBOUND_TIMEOUT_MS;
  const delivery = await lockDueDelivery({ db, id: deliveryId, now, lockedUntil: new Date(now.getTime() + timeoutMs + 20_000) });
  if (!delivery) return "skipped";
  const endpoint = await findEndpoint({ db, id: delivery.endpointId });
  if (!endpoint || !endpoint.enabled) {
    // A disabled endpoint keeps its pending deliveries; enabling it again queues them (lib/outbound/endpoints.ts).
    await releaseDelivery({ db, id: delivery.id, nextAttemptAt: delivery.nextAttemptAt });
    return "skipped";
  }
  const blocker = await earlierUndelivered({ db, delivery, undispatchedSince: new Date(now.getTime() - UNDISPATCHED_WAIT_MS) });
  if (blocker) {
    const wake = new Date(Math.min(Math.max(blocker.nextAttemptAt?.getTime() ?? 0, now.getTime() + 2_000), now.getTime() + WAIT_RECHECK_MS));
    await db.transaction(async (tx) => {
      await releaseDelivery({ db: tx, id: delivery.id, nextAttemptAt: delivery.nextAttemptAt });
      await queueDeliveryAttempt(tx, delivery.id, wake);
    });
    return "waiting";
  }
  const body = await deliveryBody(db, delivery);
  if (body === null) {
    await recordAttempt({ db, delivery, attempt: { attemptedAt: now, requestId: null, statusCode: null, latencyMs: 0, error: "the event no longer exists", nextAttemptAt: null }, set: { status: "dead", lastError: "the event no longer exists" } });
    return "dead";
  }
  const headers = signPayload(endpointSecrets(endpoint, now), delivery.messageId, now, body);
  const result = await (deps.post ?? postSigned)({ url: endpoint.url, headers, body, timeoutMs, allowPrivate: deps.allowPrivate ?? env.OUTBOUND_ALLOW_PRIVATE });
  return recordOutcome(db, delivery, endpoint, result, now, deps);
}

async function deliveryBody(db: Executor, delivery: OutboundDelivery): Promise<string | null> {
  if (delivery.testBody) return JSON.stringify(delivery.testBody);
  if (!delivery.eventId) return null;
  const event = await findPlatformEvent({ db, id: delivery.eventId });
  return event ? JSON.stringify(eventPayload(event)) : null;
}

async function recordOutcome(db: Database, delivery: OutboundDelivery, endpoint: WebhookEndpoint, result: PostResult, now: Date, deps: OutboundDeps): Promise<AttemptOutcome> {
  const log = logger("outbound");
  const attemptBase = { attemptedAt: now, requestId: result.requestId, statusCode: result.status, latencyMs: result.latencyMs, error: result.error };
  const windowStart = delivery.windowStartedAt ?? now;
  return db.transaction(async (tx) => {
    if (result.error === null) {
      await recordAttempt({ db: tx, delivery, attempt: { ...attemptBase, nextAttemptAt: null }, set: { status: "delivered", deliveredAt: now, lastStatusCode: result.status, lastError: null } });
      if (endpoint.failingSince) await updateEndpointRow({ db: tx, id: endpoint.id, set: { failingSince: null } });
      await wakeSuccessor(tx, delivery, now);
      return "delivered";
    }
    const retryWindowMs = deps.retryWindowMs ?? 3 * DAY_MS;
    // The receiver's Retry-After is honoured when it asks for longer than the schedule (capped by the window).
    const next = new Date(now.getTime() + Math.max(backoff(delivery.attempts + 1, deps.random), Math.min(result.retryAfterMs ?? 0, DAY_MS)));
    const dead = next.getTime() - windowStart.getTime() > retryWindowMs;
    await recordAttempt({
      db: tx,
      delivery,
      attempt: { ...attemptBase, nextAttemptAt: dead ? null : next },
      set: dead ? { status: "dead", lastStatusCode: result.status, lastError: result.error } : { nextAttemptAt: next, lastStatusCode: result.status, lastError: result.error },
    });
    if (dead) {
      await emitEvent(tx, {
        type: "outbound.delivery_dead",
        hubId: endpoint.hubId,
        subjectId: endpoint.id,
        data: { delivery_id: delivery.id, event_id: delivery.eventId, event_type: delivery.eventType, attempts: delivery.attempts + 1, error: result.error, url: endpoint.url },
        dedupeKey: `outbound.delivery_dead:${delivery.id}:${delivery.attempts + 1}`,
      });
      await wakeSuccessor(tx, delivery, now);
      log.warn({ deliveryId: delivery.id, endpointId: endpoint.id, error: result.error }, "outbound delivery is dead");
    } else {
      await queueDeliveryAttempt(tx, delivery.id, next);
    }
    const failingSince = endpoint.failingSince ?? now;
    if (!endpoint.failingSince) await updateEndpointRow({ db: tx, id: endpoint.id, set: { failingSince } });
    // 410 Gone: the receiver says it wants nothing more (Standard Webhooks: disable the endpoint).
    const gone = result.status === 410;
    if (gone || now.getTime() - failingSince.getTime() >= (deps.disableAfterMs ?? 3 * DAY_MS)) {
      const reason = gone ? "The endpoint answered 410 Gone: it asked for no more deliveries." : `Every delivery failed for 3 days (since ${failingSince.toISOString()}); last error: ${result.error}`;
      await updateEndpointRow({ db: tx, id: endpoint.id, set: { enabled: false, disabledAt: now, disabledReason: reason } });
      await emitEvent(tx, {
        type: "outbound.endpoint_disabled",
        hubId: endpoint.hubId,
        subjectId: endpoint.id,
        data: { url: endpoint.url, failing_since: failingSince.toISOString(), error: result.error, reason: gone ? "gone" : "failing" },
        dedupeKey: `outbound.endpoint_disabled:${endpoint.id}:${failingSince.toISOString()}`,
      });
      log.warn({ endpointId: endpoint.id }, "outbound endpoint disabled after failing for 3 days");
    }
    return dead ? "dead" : "retry";
  });
}

async function wakeSuccessor(tx: Executor, delivery: OutboundDelivery, now: Date): Promise<void> {
  for (const next of await pendingSuccessors({ db: tx, delivery })) await queueDeliveryAttempt(tx, next.id, next.nextAttemptAt > now ? next.nextAttemptAt : now);
}

/** The `outbound.deliver` job. */
export function outboundDeliverHandlerWith(getDb: () => Promise<Database>): JobHandler<"outbound.deliver"> {
  return async (job) => {
    const db = await getDb();
    if (!(await findDelivery({ db, id: job.payload.deliveryId }))) return;
    await attemptDelivery(job.payload.deliveryId, { db });
  };
}
