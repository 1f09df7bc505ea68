import type { PlatformEvent } from "@/db/schema";

// The body every endpoint receives (docs/outbound-webhooks.md §3): the Standard Webhooks envelope `{ type,
// timestamp, data }` plus the event's `id` (also `webhook-id`). `data.object` is the resource as the REST API
// returns it (frozen at dispatch, docs/events.md §3); the rest of `data` says what changed. Built from stored,
// frozen values only, so every attempt and every replay sends the same bytes.

export type OutboundPayload = {
  id: string;
  type: string;
  timestamp: string;
  hub_id: string | null;
  data: Record<string, unknown> & { object: Record<string, unknown> | null };
};

export function eventPayload(event: Pick<PlatformEvent, "id" | "type" | "occurredAt" | "hubId" | "data" | "resource">): OutboundPayload {
  return { id: event.id, type: event.type, timestamp: event.occurredAt.toISOString(), hub_id: event.hubId, data: { ...event.data, object: event.resource } };
}

export const TEST_EVENT_TYPE = "webhook.test";

/** The "send test event" body: the same envelope, a type no subscription filters out, no resource. */
export function testPayload(id: string, endpointId: string, at: Date): OutboundPayload {
  return { id, type: TEST_EVENT_TYPE, timestamp: at.toISOString(), hub_id: null, data: { object: null, endpoint_id: endpointId, message: "A test event sent from the partner portal." } };
}
