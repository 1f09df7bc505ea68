import { z } from "zod";
import { API_TOKEN_SCOPES } from "@/db/schema";
import { FUNNEL_KINDS } from "../onboarding/funnel";
import { prefillSchema } from "../onboarding/prefill";
import { TEMPLATE_CATEGORIES, templateDraftSchema } from "../templates/draft";

// The REST API's resources as zod schemas: handlers parse their answers through these (lib/api/operation.ts) and
// the OpenAPI document is generated from them (lib/api/openapi.ts). They are also the payloads the outbound events
// of the outbound events (not built yet) will carry ("each payload carries the resource as the API returns it"). Every schema meant as a
// component is registered in `apiSchemas` with its name.

export const apiSchemas = z.registry<{ id: string; description?: string }>();
function component<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  apiSchemas.add(schema, { id, description });
  return schema;
}

const id = z.uuid();
const time = z.iso.datetime({ offset: false });
const nullableTime = time.nullable();

export const problemSchema = component(
  "Problem",
  z
    .object({
      type: z.literal("about:blank"),
      title: z.string(),
      status: z.number().int(),
      detail: z.string(),
      code: z.string().describe("`<kind>:<what>`: what a client branches on (README §Errors)."),
      errors: z.record(z.string(), z.array(z.string())).optional().describe("Messages per field, by dotted path."),
    })
    .loose(),
  "RFC 9457 problem details (application/problem+json). Routes may add members (`scope`, `findings`, `templateId`).",
);

const page = <T extends z.ZodType>(name: string, item: T) =>
  component(
    `${name}Page`,
    z.object({
      data: z.array(item),
      next: z.string().nullable().describe("Opaque cursor of the next page: pass it as `after`. Null on the last page."),
    }),
  );

export const hubSchema = component(
  "Hub",
  z.object({
    id,
    name: z.string(),
    partnerId: z.string().describe("The 360dialog partner id."),
    paymentMode: z.enum(["partner", "direct"]),
    sandbox: z.boolean().describe("The local sandbox stand-in, not 360dialog."),
  }),
);
export const hubListSchema = component("HubList", z.object({ data: z.array(hubSchema) }));

export const clientSchema = component(
  "Client",
  z.object({
    id,
    hubId: id,
    externalId: z.string().describe("360dialog's client id."),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    channelCount: z.number().int(),
    runningCount: z.number().int(),
    createdAt: time,
  }),
);
export const clientPageSchema = page("Client", clientSchema);

export const KEY_STATES = ["none", "being_generated", "waiting_to_be_claimed", "claimed", "revoked"] as const;
export const keyStateSchema = component(
  "ApiKeyState",
  z.object({
    state: z.enum(KEY_STATES),
    last4: z.string().nullable().describe("The key's last four characters; the key itself is never in a channel resource."),
    version: z.number().int().nullable(),
    createdAt: nullableTime,
    claimedAt: nullableTime,
    claimedBy: z
      .object({ kind: z.enum(["user", "api_token"]), label: z.string(), tokenId: id.nullable() })
      .nullable()
      .describe("Who took the one reveal: a staff user in the dashboard, or an API token."),
    revokedAt: nullableTime,
  }),
  "none / being generated / waiting to be claimed / claimed (by whom, when) / revoked.",
);

export const channelSchema = component(
  "Channel",
  z.object({
    id,
    hubId: id,
    clientId: id.nullable(),
    externalId: z.string().describe("360dialog's channel id."),
    phoneNumber: z.string().nullable(),
    displayName: z.string().nullable(),
    status: z.string().describe("As 360dialog reports it (created, unverified, submitted, verified, ready, running, or another value kept verbatim)."),
    running: z.boolean(),
    statusChangedAt: time,
    permission: z.enum(["granted", "revoked", "unknown"]),
    restricted: z.boolean(),
    cancellation: z
      .enum(["requested", "cancelled"])
      .nullable()
      .describe("requested: 360dialog announced the number's cancellation (until it is revoked); cancelled: processed, its keys revoked. Null for a number in service."),
    terminatesAt: nullableTime.describe("When a requested cancellation takes effect, if 360dialog said."),
    qualityRating: z.string().nullable().describe("Meta's quality rating (GREEN, YELLOW, RED, UNKNOWN) as the channel object last carried it."),
    messagingLimit: z.string().nullable().describe("Meta's messaging limit tier (e.g. TIER_1K) from the channel object or the latest quality event."),
    quality: z
      .object({ event: z.string().nullable(), currentLimit: z.string().nullable() })
      .nullable()
      .describe("Meta's latest quality signal and messaging limit tier, when one arrived."),
    apiKey: keyStateSchema,
    createdAt: time,
  }),
);
export const channelPageSchema = page("Channel", channelSchema);

export const claimedKeySchema = component(
  "ClaimedApiKey",
  z.object({
    channelId: id,
    apiKey: z.string().describe("The plaintext key: returned once per generated key."),
    address: z.string().nullable().describe("The Messaging API base URL the key works against."),
    last4: z.string().nullable(),
    version: z.number().int(),
  }),
);

export const findingSchema = component(
  "Finding",
  z.object({ field: z.string(), rule: z.string(), severity: z.enum(["error", "warning"]), message: z.string() }),
  "One linter finding, on the draft field it concerns.",
);

export const templateSchema = component(
  "Template",
  z.object({
    id,
    hubId: id,
    channelId: id,
    name: z.string(),
    language: z.string(),
    category: z.string(),
    requestedCategory: z.string().nullable(),
    categoryChanged: z.boolean(),
    status: z.string().describe("draft until submitted; afterwards as 360dialog or Meta reports it."),
    rejectedReason: z.string().nullable(),
    submittedAt: nullableTime,
    updatedAt: time,
    createdAt: time,
  }),
);
export const templatePageSchema = page("Template", templateSchema);

export const templateDraftComponent = component("TemplateDraft", templateDraftSchema);
export const templateCreateSchema = component(
  "TemplateCreate",
  z.object({
    channelId: id,
    action: z.enum(["save", "submit"]).default("save").describe("save: store the draft; submit: store, lint, and send to 360dialog when the linter finds no error."),
    draft: templateDraftComponent,
  }),
);
export const templateCreatedSchema = component(
  "TemplateCreated",
  z.object({ template: templateSchema, findings: z.array(findingSchema), message: z.string() }),
);

export const INVITE_STATES = ["valid", "expired", "used_up", "revoked"] as const;
export const inviteSchema = component(
  "Invite",
  z.object({
    id,
    hubId: id,
    label: z.string(),
    purpose: z.enum(["new_number", "permission"]),
    state: z.enum(INVITE_STATES),
    prefillFields: z.array(z.string()).describe("Which prefill fields the invite carries (the values are personal data and not returned)."),
    expiresAt: nullableTime,
    maxUses: z.number().int().nullable(),
    useCount: z.number().int(),
    revokedAt: nullableTime,
    createdAt: time,
  }),
);
export const invitePageSchema = page("Invite", inviteSchema);
export const inviteCreateSchema = component(
  "InviteCreate",
  z.object({
    hubId: id,
    label: z.string().max(100).optional(),
    purpose: z.enum(["new_number", "permission"]).optional(),
    prefill: prefillSchema.optional(),
    expiresAt: time.optional(),
    maxUses: z.number().int().min(1).max(1000).optional(),
  }),
);
export const inviteCreatedSchema = component(
  "InviteCreated",
  z.object({
    invite: inviteSchema,
    url: z.string().describe("The invite link: shown once (only its hash is stored)."),
    qrSvg: z.string().describe("The link as a QR code, an SVG document."),
    directLink: z.string().nullable().describe("360dialog's own link with the prefill (hubs with IO Signature off only)."),
  }),
);

export const sessionSchema = component(
  "OnboardingSession",
  z.object({
    id,
    hubId: id,
    inviteId: id.nullable(),
    method: z.enum(["connect_button", "popup", "direct_link", "embedded_signup", "permission"]),
    status: z.enum(["started", "redirected", "completed", "failed", "cancelled", "expired"]),
    clientId: id.nullable(),
    clientExternalId: z.string().nullable(),
    channelExternalIds: z.array(z.string()),
    error: z.string().nullable(),
    expiresAt: time,
    completedAt: nullableTime,
    createdAt: time,
    steps: z.array(z.object({ kind: z.enum(FUNNEL_KINDS), at: time, channelExternalId: z.string().nullable() })).describe("The funnel steps reached, oldest first."),
  }),
);
export const sessionPageSchema = page("OnboardingSession", sessionSchema);

export const webhookEventSchema = component(
  "WebhookEvent",
  z.object({
    id,
    hubId: id,
    event: z.string(),
    status: z.enum(["pending", "processing", "done", "failed", "dead", "ignored", "held"]).describe("held: arrived while its hub was archived; applied when the hub is restored."),
    signatureResult: z
      .enum(["valid", "valid_previous", "unsigned", "hub_secret"])
      .describe("valid / valid_previous: 360dialog's signature matched; unsigned: stored without a platform secret, confirmed only through the Partner API; hub_secret: Meta's WABA webhook, the hub's secret header matched."),
    attempts: z.number().int(),
    deliveries: z.number().int(),
    channelExternalId: z.string().nullable(),
    clientExternalId: z.string().nullable(),
    lastError: z.string().nullable(),
    receivedAt: time,
  }),
);
export const webhookEventPageSchema = page("WebhookEvent", webhookEventSchema);
export const webhookEventDetailSchema = component(
  "WebhookEventDetail",
  webhookEventSchema.extend({ body: z.string().describe("The delivery's body with secrets and phone numbers masked, as the dashboard shows it."), processedAt: nullableTime }),
);

export const tokenScopeSchema = z.enum(API_TOKEN_SCOPES);
export { TEMPLATE_CATEGORIES };

// ---- outbound webhooks (docs/outbound-webhooks.md) ----

export const webhookEndpointSchema = component(
  "WebhookEndpoint",
  z.object({
    id,
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()).nullable().describe("The subscribed event types; null: every public type, also ones added later."),
    hubId: id.nullable().describe("Only events of this hub; null: every hub."),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    disabledAt: nullableTime,
    previousSecretValidUntil: nullableTime.describe("After a rotation: until when the previous secret also signs."),
    createdAt: time,
    updatedAt: time,
  }),
  "An endpoint of the partner's platform that receives the portal's events, signed by Standard Webhooks. Never carries its secret.",
);
export const webhookEndpointPageSchema = page("WebhookEndpoint", webhookEndpointSchema);
export const webhookEndpointCreateSchema = component(
  "WebhookEndpointCreate",
  z.object({
    url: z.string().max(2000).describe("https:// (plain http in development only); no private, loopback or link-local address unless the portal allows it."),
    description: z.string().max(200).optional(),
    eventTypes: z.array(z.string()).nullable().optional().describe("Public event types (see `webhooks`); absent or null: all."),
    hubId: id.nullable().optional(),
  }),
);
export const webhookEndpointUpdateSchema = component(
  "WebhookEndpointUpdate",
  z.object({
    url: z.string().max(2000).optional(),
    description: z.string().max(200).optional(),
    eventTypes: z.array(z.string()).nullable().optional(),
    hubId: id.nullable().optional(),
    enabled: z.boolean().optional().describe("false disables it (deliveries wait); true enables it again and sends what waited, in order."),
  }),
);
export const webhookSecretRotateSchema = component(
  "WebhookSecretRotate",
  z.object({ overlapHours: z.number().int().min(0).max(168).optional().describe("How long the previous secret keeps signing beside the new one (default 24).") }),
);
export const webhookEndpointWithSecretSchema = component(
  "WebhookEndpointWithSecret",
  z.object({
    endpoint: webhookEndpointSchema,
    secret: z.string().describe("The signing secret (`whsec_…`, Standard Webhooks): returned this once, stored sealed."),
  }),
);
export const webhookEndpointDeletedSchema = component("WebhookEndpointDeleted", z.object({ id, deleted: z.literal(true) }));
