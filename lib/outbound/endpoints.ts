import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Database, Executor } from "@/db/client";
import { findHubById } from "@/db/queries/hubs";
import {
  deleteEndpointRow,
  eventsSince,
  findDelivery,
  findEndpoint,
  insertDeliveries,
  insertEndpoint,
  pendingDeliveriesOfEndpoint,
  reopenDelivery,
  reopenDeliveryById,
  updateEndpointRow,
} from "@/db/queries/outbound";
import type { WebhookEndpoint } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { getEnv } from "../env";
import { AppError, fieldErrorsOf } from "../errors";
import { EVENT_CATALOGUE, PUBLIC_EVENT_TYPES, isEventType } from "../events/catalogue";
import { queueDeliveryAttempt, secretAad } from "./deliver";
import { TEST_EVENT_TYPE, testPayload } from "./payload";
import { generateSigningSecret } from "./signing";
import { checkEndpointUrl } from "./url";
import { openSecret, sealSecret } from "../secrets";

// Managing the partner's endpoints (docs/outbound-webhooks.md §1): admins in Settings and tokens with the
// `webhooks` scope through /api/v1/webhook-endpoints share these functions, so both validate, seal and audit alike.

/** How long the previous secret keeps signing after a rotation, unless the caller asks otherwise. */
export const DEFAULT_OVERLAP_HOURS = 24;
const MAX_OVERLAP_HOURS = 7 * 24;
/** Replay "everything since": at most this many events in one request. */
export const REPLAY_MAX_EVENTS = 10_000;

const eventTypesSchema = z
  .array(z.string().refine((t) => isEventType(t) && EVENT_CATALOGUE[t].public, { message: "Not an event type a platform can subscribe to." }))
  .max(PUBLIC_EVENT_TYPES.length)
  .transform((types) => [...new Set(types)].sort());

export const endpointInputSchema = z.object({
  url: z.string().trim().min(1, "Enter the endpoint's URL.").max(2_000, "At most 2000 characters."),
  description: z.string().trim().max(200, "At most 200 characters.").default(""),
  /** Null or absent: every public type, also ones added later. */
  eventTypes: eventTypesSchema.nullable().optional(),
  hubId: z.uuid("Choose a hub.").nullable().optional(),
});
export type EndpointInput = z.input<typeof endpointInputSchema>;

export const endpointUpdateSchema = endpointInputSchema.partial().extend({ enabled: z.boolean().optional() });
export type EndpointUpdate = z.input<typeof endpointUpdateSchema>;

export const rotateInputSchema = z.object({
  overlapHours: z.coerce.number().int("Whole hours only.").min(0, "At least 0 hours.").max(MAX_OVERLAP_HOURS, `At most ${MAX_OVERLAP_HOURS} hours.`).default(DEFAULT_OVERLAP_HOURS),
});

type Deps = { db?: Database; now?: Date };

function invalid(fieldErrors: Record<string, string[]>): AppError {
  return new AppError("invalid:webhook_endpoint", "Please correct the highlighted fields.", { fieldErrors });
}

export function urlPolicy() {
  const env = getEnv();
  return { allowHttp: env.NODE_ENV !== "production" || env.OUTBOUND_ALLOW_HTTP, allowPrivate: env.OUTBOUND_ALLOW_PRIVATE };
}

async function checkUrlAndHub(db: Database, input: { url?: string; hubId?: string | null }): Promise<void> {
  if (input.url !== undefined) {
    const verdict = await checkEndpointUrl(input.url, urlPolicy());
    if (!verdict.ok) throw invalid({ url: [`The URL ${verdict.reason}.`] });
  }
  if (input.hubId && !(await findHubById({ db, id: input.hubId }))) throw invalid({ hubId: ["That hub does not exist."] });
}

export type CreatedEndpoint = { endpoint: WebhookEndpoint; secret: string };

/** Admin or a `webhooks` token. The secret is returned here once; only its sealed form is stored. */
export async function createEndpoint(actor: Actor, input: EndpointInput, deps: Deps = {}): Promise<CreatedEndpoint> {
  const parsed = endpointInputSchema.safeParse(input);
  if (!parsed.success) throw invalid(fieldErrorsOf(parsed.error.issues));
  const db = deps.db ?? (await getDb());
  await checkUrlAndHub(db, parsed.data);
  const id = randomUUID();
  const secret = generateSigningSecret();
  const endpoint = await db.transaction(async (tx) => {
    const row = await insertEndpoint({
      db: tx,
      endpoint: {
        id,
        url: new URL(parsed.data.url).toString(),
        description: parsed.data.description,
        eventTypes: parsed.data.eventTypes ?? null,
        hubId: parsed.data.hubId ?? null,
        secretEnc: sealSecret(secret, secretAad(id, "current")),
        createdBy: actor.id,
      },
    });
    await audit(tx, { actor, action: "webhook_endpoint.created", targetType: "webhook_endpoint", targetId: id, hubId: row.hubId ?? undefined, detail: describe(row) });
    return row;
  });
  return { endpoint, secret };
}

export async function updateEndpoint(actor: Actor, id: string, input: EndpointUpdate, deps: Deps = {}): Promise<WebhookEndpoint> {
  const parsed = endpointUpdateSchema.safeParse(input);
  if (!parsed.success) throw invalid(fieldErrorsOf(parsed.error.issues));
  const db = deps.db ?? (await getDb());
  const before = await requireEndpoint(db, id);
  await checkUrlAndHub(db, parsed.data);
  const { url, description, eventTypes, hubId, enabled } = parsed.data;
  const now = deps.now ?? new Date();
  return db.transaction(async (tx) => {
    const row = (await updateEndpointRow({
      db: tx,
      id,
      set: {
        ...(url !== undefined && { url: new URL(url).toString() }),
        ...(description !== undefined && { description }),
        ...(eventTypes !== undefined && { eventTypes }),
        ...(hubId !== undefined && { hubId }),
        ...(enabled === true && !before.enabled && { enabled: true, disabledAt: null, disabledReason: null, failingSince: null }),
        ...(enabled === false && before.enabled && { enabled: false, disabledAt: now, disabledReason: `Disabled by ${actor.email}` }),
      },
    }))!;
    // Enabled again: what waited while it was off goes out now, in order.
    if (enabled === true && !before.enabled) for (const d of await pendingDeliveriesOfEndpoint({ db: tx, endpointId: id, limit: 10_000 })) await queueDeliveryAttempt(tx, d.id, now);
    await audit(tx, { actor, action: "webhook_endpoint.updated", targetType: "webhook_endpoint", targetId: id, hubId: row.hubId ?? undefined, detail: { before: describe(before), after: describe(row) } });
    return row;
  });
}

export async function deleteEndpoint(actor: Actor, id: string, deps: Deps = {}): Promise<void> {
  const db = deps.db ?? (await getDb());
  await db.transaction(async (tx) => {
    const row = await deleteEndpointRow({ db: tx, id: checkedId(id) });
    if (!row) throw notFound();
    await audit(tx, { actor, action: "webhook_endpoint.deleted", targetType: "webhook_endpoint", targetId: id, hubId: row.hubId ?? undefined, detail: describe(row) });
  });
}

/** A new secret, returned once; the previous one keeps signing (beside it) for `overlapHours`. */
export async function rotateEndpointSecret(actor: Actor, id: string, input: { overlapHours?: number | string } = {}, deps: Deps = {}): Promise<CreatedEndpoint> {
  const parsed = rotateInputSchema.safeParse(input);
  if (!parsed.success) throw invalid(fieldErrorsOf(parsed.error.issues));
  const db = deps.db ?? (await getDb());
  const now = deps.now ?? new Date();
  const secret = generateSigningSecret();
  const endpoint = await db.transaction(async (tx) => {
    const before = await requireEndpoint(tx, id);
    const previous = openSecret(before.secretEnc, secretAad(id, "current"));
    const expires = new Date(now.getTime() + parsed.data.overlapHours * 3_600_000);
    const row = (await updateEndpointRow({
      db: tx,
      id,
      set: {
        secretEnc: sealSecret(secret, secretAad(id, "current")),
        previousSecretEnc: parsed.data.overlapHours > 0 ? sealSecret(previous, secretAad(id, "previous")) : null,
        previousSecretExpiresAt: parsed.data.overlapHours > 0 ? expires : null,
      },
    }))!;
    await audit(tx, { actor, action: "webhook_endpoint.secret_rotated", targetType: "webhook_endpoint", targetId: id, hubId: row.hubId ?? undefined, detail: { overlapHours: parsed.data.overlapHours, previousValidUntil: parsed.data.overlapHours > 0 ? expires.toISOString() : null } });
    return row;
  });
  return { endpoint, secret };
}

/** Sends one delivery again (same `webhook-id`), with a fresh retry window. */
export async function replayDelivery(actor: Actor, endpointId: string, deliveryId: string, deps: Deps = {}): Promise<void> {
  const db = deps.db ?? (await getDb());
  const now = deps.now ?? new Date();
  await db.transaction(async (tx) => {
    const delivery = await findDelivery({ db: tx, id: checkedId(deliveryId) });
    if (!delivery || delivery.endpointId !== endpointId) throw new AppError("not_found:webhook_delivery", "That delivery does not exist.");
    await reopenDeliveryById({ db: tx, id: delivery.id, now });
    await queueDeliveryAttempt(tx, delivery.id, now);
    await audit(tx, { actor, action: "webhook_endpoint.replayed", targetType: "webhook_endpoint", targetId: endpointId, detail: { deliveryId, eventId: delivery.eventId, eventType: delivery.eventType } });
  });
}

/** Every event since `since` that the endpoint subscribes to, again (or for the first time), in order. */
export async function replaySince(actor: Actor, endpointId: string, since: Date, deps: Deps = {}): Promise<{ queued: number; truncated: boolean }> {
  if (Number.isNaN(since.getTime())) throw invalid({ since: ["Give a date and time."] });
  const db = deps.db ?? (await getDb());
  const now = deps.now ?? new Date();
  const endpoint = await requireEndpoint(db, endpointId);
  let queued = 0;
  let afterSeq = 0;
  let truncated = false;
  await db.transaction(async (tx) => {
    for (;;) {
      const page = await eventsSince({ db: tx, since, afterSeq, limit: 500 });
      for (const event of page) {
        afterSeq = event.seq;
        if (!matches(endpoint, event.type, event.hubId)) continue;
        if (queued >= REPLAY_MAX_EVENTS) {
          truncated = true;
          break;
        }
        const row = await reopenDelivery({
          db: tx,
          delivery: { endpointId, eventId: event.id, messageId: event.id, eventType: event.type, eventSeq: event.seq, subjectType: event.subjectType, subjectId: event.subjectId },
          now,
        });
        await queueDeliveryAttempt(tx, row.id, now);
        queued++;
      }
      if (truncated || page.length < 500) break;
    }
    await audit(tx, { actor, action: "webhook_endpoint.replayed", targetType: "webhook_endpoint", targetId: endpointId, hubId: endpoint.hubId ?? undefined, detail: { since: since.toISOString(), queued, truncated } });
  });
  return { queued, truncated };
}

/** A `webhook.test` event to this endpoint now, signed like any other, logged like any other. */
export async function sendTestEvent(actor: Actor, endpointId: string, deps: Deps = {}): Promise<{ deliveryId: string }> {
  const db = deps.db ?? (await getDb());
  const now = deps.now ?? new Date();
  const endpoint = await requireEndpoint(db, endpointId);
  const messageId = randomUUID();
  return db.transaction(async (tx) => {
    const [row] = await insertDeliveries({
      db: tx,
      deliveries: [{ endpointId: endpoint.id, eventId: null, messageId, eventType: TEST_EVENT_TYPE, eventSeq: null, subjectType: null, subjectId: null, testBody: testPayload(messageId, endpoint.id, now) }],
    });
    await queueDeliveryAttempt(tx, row!.id, now);
    await audit(tx, { actor, action: "webhook_endpoint.test_sent", targetType: "webhook_endpoint", targetId: endpointId, hubId: endpoint.hubId ?? undefined, detail: { deliveryId: row!.id } });
    return { deliveryId: row!.id };
  });
}

function matches(endpoint: WebhookEndpoint, type: string, hubId: string | null): boolean {
  if (!isEventType(type) || !EVENT_CATALOGUE[type].public) return false;
  if (endpoint.eventTypes && !endpoint.eventTypes.includes(type)) return false;
  return endpoint.hubId === null || endpoint.hubId === hubId;
}

function checkedId(id: string): string {
  if (!z.uuid().safeParse(id).success) throw notFound();
  return id;
}

function notFound(): AppError {
  return new AppError("not_found:webhook_endpoint", "That endpoint does not exist.");
}

export async function requireEndpoint(db: Executor, id: string): Promise<WebhookEndpoint> {
  const row = await findEndpoint({ db, id: checkedId(id) });
  if (!row) throw notFound();
  return row;
}

function describe(row: WebhookEndpoint): Record<string, unknown> {
  return { url: row.url, description: row.description, eventTypes: row.eventTypes, hubId: row.hubId, enabled: row.enabled };
}
