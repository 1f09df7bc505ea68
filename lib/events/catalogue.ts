// The catalogue of the portal's events (docs/events.md §2). Public types are what a partner's platform may
// subscribe to (outbound webhooks, the OpenAPI document's `webhooks` section); internal types exist for staff
// alerts only and never leave the portal.

export type EventSubject = "client" | "channel" | "template" | "onboarding_session" | "webhook_event" | "webhook_endpoint";

type Entry = { subject: EventSubject; public: boolean; summary: string };

export const EVENT_CATALOGUE = {
  "client.created": { subject: "client", public: true, summary: "A client appeared: by an onboarding, a reconcile or staff." },
  "onboarding.started": { subject: "onboarding_session", public: true, summary: "A client clicked to start an onboarding." },
  "onboarding.completed": { subject: "onboarding_session", public: true, summary: "An onboarding came back from 360dialog with its client and numbers." },
  "onboarding.abandoned": { subject: "onboarding_session", public: true, summary: "An onboarding ended without completing (failed, cancelled or expired); `data.reason` says which." },
  "channel.created": { subject: "channel", public: true, summary: "A number (channel) became known to the portal." },
  "channel.status_changed": { subject: "channel", public: true, summary: "A number's 360dialog status changed; `data.from` and `data.to`." },
  "channel.running": { subject: "channel", public: true, summary: "A number became able to send messages (its status is running)." },
  "channel.permission_changed": { subject: "channel", public: true, summary: "The partner's permission on a number was granted or revoked; `data.permission`." },
  "channel.api_key.ready": { subject: "channel", public: true, summary: "A number's API key is stored and waits to be claimed (POST /api/v1/channels/{id}/api-key/claim). Never carries the key." },
  "channel.stuck": { subject: "channel", public: true, summary: "A number stopped moving forward (the dashboard's stuck rules); `data.reason`." },
  "channel.restricted": { subject: "channel", public: true, summary: "Meta restricted or banned the number's account; `data.restriction`." },
  "channel.cancelled": { subject: "channel", public: true, summary: "The number's cancellation was processed: it is gone at 360dialog." },
  "template.status_changed": { subject: "template", public: true, summary: "A template's review status changed; `data.from`, `data.to`, `data.reason`." },
  "template.category_changed": { subject: "template", public: true, summary: "Meta re-categorised a template; `data.from` and `data.to`." },
  // Internal: alerts only.
  "inbox.webhook_dead": { subject: "webhook_event", public: false, summary: "A received 360dialog or Meta delivery failed its last processing attempt." },
  "outbound.delivery_dead": { subject: "webhook_endpoint", public: false, summary: "An outbound event could not be delivered to an endpoint within its retry window." },
  "outbound.endpoint_disabled": { subject: "webhook_endpoint", public: false, summary: "An endpoint failed for 3 days and was disabled." },
} as const satisfies Record<string, Entry>;

export type EventType = keyof typeof EVENT_CATALOGUE;

export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];

export const PUBLIC_EVENT_TYPES = EVENT_TYPES.filter((t) => EVENT_CATALOGUE[t].public);

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_CATALOGUE, value);
}
