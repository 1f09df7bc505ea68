import "server-only";
import { z } from "zod";
import { listCurrentKeyStates, listSessionsPage } from "@/db/queries/api-resources";
import { listChannelsPage } from "@/db/queries/channel-list";
import { findChannelById } from "@/db/queries/channel-store";
import { listClientsPage } from "@/db/queries/client-list";
import { listHubs } from "@/db/queries/hubs";
import { findInviteById } from "@/db/queries/invites";
import { listFunnelEvents } from "@/db/queries/onboarding";
import { decodeCursor } from "@/db/queries/paging";
import { getTemplateDetail, listTemplatesPage } from "@/db/queries/templates";
import { getWebhookEventDetail, listWebhookEventsPage } from "@/db/queries/webhook-inbox";
import { getDb } from "../db";
import { AppError } from "../errors";
import { createInvite, listInvites, revokeInvite } from "../onboarding/invites";
import { qrCodeSvg } from "../onboarding/qr";
import { saveOrSubmitTemplate } from "../templates/submit";
import { redactWebhookBody } from "../webhooks/redact";
import { loadChannelResource, loadClientResource, loadSessionResource, loadTemplateResource } from "./resources";
import { hubFilter, requireVisible, type ApiCaller } from "./auth";
import { claimApiKey } from "./key-claim";
import { defineOperation, ProblemWith, type AnyOperation } from "./operation";
import * as s from "./schemas";
import { channelResource, clientResource, inviteResource, sessionResource, templateResource, webhookEndpointResource, webhookEventResource } from "./serialise";
import { listEndpoints } from "@/db/queries/outbound";
import { createEndpoint, deleteEndpoint, requireEndpoint, rotateEndpointSecret, updateEndpoint } from "../outbound/endpoints";

// Every operation of /api/v1 (docs/api.md). Route files under app/api/v1 export `apiRoute(<operation>)`; the
// OpenAPI document lists API_OPERATIONS; a test requires the two to match one to one.

const DEFAULT_LIMIT = 50;

const cursorParam = z.string().max(200).optional().describe("The `next` of the previous page.");
const limitParam = z.coerce.number().int().min(1).max(200).default(DEFAULT_LIMIT).describe("Items per page (1 to 200).");
const hubParam = z.uuid().optional().describe("Only this hub.");
const idParams = z.object({ id: z.uuid().describe("The resource's id (a UUID).") });

/** Opaque cursors: the keyset (timestamp with microseconds, id) base64url-encoded; clients must not parse them. */
export function encodeApiCursor(keyset: string | null): string | null {
  return keyset === null ? null : Buffer.from(keyset, "utf8").toString("base64url");
}

function decodeApiCursor(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const keyset = Buffer.from(value, "base64url").toString("utf8");
  if (!decodeCursor(keyset)) throw new AppError("invalid:cursor", "The cursor is not one this API issued; start again without `after`.", { fieldErrors: { after: ["Not a cursor of this API."] } });
  return keyset;
}

const NOT_FOUND = (what: string) => ({ status: 404, code: `not_found:${what}`, description: `No such ${what}, or one of a hub this token may not see.` });
const INVALID_QUERY = { status: 400, code: "invalid:query", description: "A query parameter is not valid (`errors` names it)." };
const INVALID_CURSOR = { status: 400, code: "invalid:cursor", description: "`after` is not a cursor of this API." };
const INVALID_BODY = { status: 400, code: "invalid:body", description: "The body does not match the schema (`errors` per field)." };

async function keyStatesFor(channelIds: string[]) {
  const rows = await listCurrentKeyStates({ db: await getDb(), channelIds });
  return new Map(rows.map((r) => [r.channelId, r]));
}

// ---- hubs ----

export const listHubsOp = defineOperation({
  operationId: "listHubs",
  method: "GET",
  path: "/api/v1/hubs",
  tag: "hub",
  summary: "List the partner hubs",
  description: "The hubs this token may see (one, for a hub-restricted token): their ids are what `hub` filters and invites take.",
  scope: "read",
  response: { status: 200, schema: s.hubListSchema, description: "Every hub the token may see." },
  errors: [],
  async run({ caller }) {
    const hubs = await listHubs({ db: await getDb() });
    return { data: hubs.filter((h) => !caller.hubId || h.id === caller.hubId).map((h) => ({ id: h.id, name: h.name, partnerId: h.partnerId, paymentMode: h.paymentMode, sandbox: h.isSandbox })) };
  },
});

// ---- clients ----

export const listClientsOp = defineOperation({
  operationId: "listClients",
  method: "GET",
  path: "/api/v1/clients",
  tag: "client",
  summary: "List clients",
  description: "Newest first. `q` matches the start of the name or email, a 360dialog client id, or phone digits (as the dashboard's search).",
  scope: "read",
  query: z.object({ hub: hubParam, q: z.string().trim().max(100).optional().describe("Search."), after: cursorParam, limit: limitParam }),
  response: { status: 200, schema: s.clientPageSchema, description: "A page of clients." },
  errors: [INVALID_QUERY, INVALID_CURSOR],
  async run({ caller, query }) {
    const { hubId, empty } = hubFilter(caller, query.hub);
    if (empty) return { data: [], next: null };
    const page = await listClientsPage({ db: await getDb(), filter: { hubId, q: query.q }, after: decodeApiCursor(query.after), limit: query.limit });
    return { data: page.rows.map(clientResource), next: encodeApiCursor(page.next) };
  },
});

export const getClientOp = defineOperation({
  operationId: "getClient",
  method: "GET",
  path: "/api/v1/clients/{id}",
  tag: "client",
  summary: "Get a client",
  scope: "read",
  params: idParams,
  response: { status: 200, schema: s.clientSchema, description: "The client." },
  etag: true,
  errors: [NOT_FOUND("client")],
  async run({ caller, params }) {
    const loaded = await loadClientResource(await getDb(), params.id);
    if (!loaded) throw new AppError("not_found:client", "No such client.");
    requireVisible(caller, loaded.hubId, "client", "No such client.");
    return loaded.resource;
  },
});

// ---- channels ----

export const listChannelsOp = defineOperation({
  operationId: "listChannels",
  method: "GET",
  path: "/api/v1/channels",
  tag: "channel",
  summary: "List numbers (channels)",
  description: "By last status change, newest first. Filters as the dashboard's: hub, status (or `other`), client, `q` (channel id or phone digits).",
  scope: "read",
  query: z.object({
    hub: hubParam,
    status: z.string().regex(/^[a-z_]{1,40}$/).optional().describe("A status, or `other` for statuses outside the lifecycle."),
    client: z.uuid().optional().describe("Only this client's numbers."),
    q: z.string().trim().max(40).optional().describe("A 360dialog channel id or phone digits."),
    after: cursorParam,
    limit: limitParam,
  }),
  response: { status: 200, schema: s.channelPageSchema, description: "A page of numbers." },
  errors: [INVALID_QUERY, INVALID_CURSOR],
  async run({ caller, query }) {
    const { hubId, empty } = hubFilter(caller, query.hub);
    if (empty) return { data: [], next: null };
    const db = await getDb();
    const page = await listChannelsPage({ db, filter: { hubId, status: query.status, clientId: query.client, q: query.q }, after: decodeApiCursor(query.after), limit: query.limit });
    // The list row lacks flags and created_at: read the rows themselves (one page, by primary key).
    const full = await Promise.all(page.rows.map((r) => findChannelById({ db, id: r.id })));
    const keys = await keyStatesFor(page.rows.map((r) => r.id));
    return { data: full.filter((c) => c !== undefined).map((c) => channelResource(c, keys.get(c.id))), next: encodeApiCursor(page.next) };
  },
});

async function visibleChannel(caller: ApiCaller, id: string) {
  const channel = await findChannelById({ db: await getDb(), id });
  if (!channel) throw new AppError("not_found:channel", "No such number.");
  requireVisible(caller, channel.hubId, "channel", "No such number.");
  return channel;
}

export const getChannelOp = defineOperation({
  operationId: "getChannel",
  method: "GET",
  path: "/api/v1/channels/{id}",
  tag: "channel",
  summary: "Get a number (channel)",
  description: "Status, permission, quality and the state of its API key; never the key.",
  scope: "read",
  params: idParams,
  response: { status: 200, schema: s.channelSchema, description: "The number." },
  etag: true,
  errors: [NOT_FOUND("channel")],
  async run({ caller, params }) {
    const loaded = await loadChannelResource(await getDb(), params.id);
    if (!loaded) throw new AppError("not_found:channel", "No such number.");
    requireVisible(caller, loaded.hubId, "channel", "No such number.");
    return loaded.resource;
  },
});

export const claimApiKeyOp = defineOperation({
  operationId: "claimApiKey",
  method: "POST",
  path: "/api/v1/channels/{id}/api-key/claim",
  tag: "channel",
  summary: "Claim a number's API key (once)",
  description:
    "Returns the plaintext of the number's current key once per generated key; the dashboard's \"show once\" and this claim share that one reveal. Afterwards 410 `gone:api_key_claimed`. Every call is audited.",
  scope: "keys",
  params: idParams,
  response: { status: 200, schema: s.claimedKeySchema, description: "The key, this once." },
  errors: [
    NOT_FOUND("channel"),
    { status: 404, code: "not_found:api_key", description: "The number has no key." },
    { status: 409, code: "conflict:api_key_pending", description: "The key is being generated; try again when the number's apiKey.state is waiting_to_be_claimed." },
    { status: 410, code: "gone:api_key_claimed", description: "The key was already claimed or shown once." },
  ],
  async run({ caller, params }) {
    return claimApiKey(caller, params.id);
  },
});

// ---- templates ----

export const listTemplatesOp = defineOperation({
  operationId: "listTemplates",
  method: "GET",
  path: "/api/v1/templates",
  tag: "template",
  summary: "List templates",
  description: "By last change, newest first. Filters as the dashboard's.",
  scope: "read",
  query: z.object({
    hub: hubParam,
    client: z.uuid().optional(),
    channel: z.uuid().optional(),
    status: z.string().regex(/^[A-Za-z_]{1,40}$/).optional(),
    category: z.enum(s.TEMPLATE_CATEGORIES).optional(),
    language: z.string().regex(/^[A-Za-z_]{2,12}$/).optional(),
    after: cursorParam,
    limit: limitParam,
  }),
  response: { status: 200, schema: s.templatePageSchema, description: "A page of templates." },
  errors: [INVALID_QUERY, INVALID_CURSOR],
  async run({ caller, query }) {
    const { hubId, empty } = hubFilter(caller, query.hub);
    if (empty) return { data: [], next: null };
    const db = await getDb();
    const filter = { hubId, clientId: query.client, channelId: query.channel, status: query.status, category: query.category, language: query.language };
    const page = await listTemplatesPage({ db, filter, after: decodeApiCursor(query.after), limit: query.limit });
    const full = await Promise.all(page.rows.map((r) => getTemplateDetail({ db, id: r.id })));
    return { data: full.filter((t) => t !== undefined).map((t) => templateResource(t.template)), next: encodeApiCursor(page.next) };
  },
});

export const getTemplateOp = defineOperation({
  operationId: "getTemplate",
  method: "GET",
  path: "/api/v1/templates/{id}",
  tag: "template",
  summary: "Get a template and its status",
  scope: "read",
  params: idParams,
  response: { status: 200, schema: s.templateSchema, description: "The template." },
  etag: true,
  errors: [NOT_FOUND("template")],
  async run({ caller, params }) {
    const loaded = await loadTemplateResource(await getDb(), params.id);
    if (!loaded) throw new AppError("not_found:template", "No such template.");
    requireVisible(caller, loaded.hubId, "template", "No such template.");
    return loaded.resource;
  },
});

export const createTemplateOp = defineOperation({
  operationId: "createTemplate",
  method: "POST",
  path: "/api/v1/templates",
  tag: "template",
  summary: "Create a template (the linter runs)",
  description:
    "Stores the draft on the number and runs the same linter as the dashboard; its findings come back per field. With `action: submit` the template is sent to 360dialog when the linter finds no error; otherwise 422 `unprocessable:template_refused` with `findings` and `templateId` (the draft is kept).",
  scope: "templates",
  body: s.templateCreateSchema,
  response: { status: 201, schema: s.templateCreatedSchema, description: "Stored (and, for submit, sent)." },
  errors: [
    INVALID_BODY,
    NOT_FOUND("channel"),
    { status: 409, code: "conflict:template_name", description: "The number has a template of this name and language." },
    { status: 422, code: "unprocessable:template_refused", description: "Submit refused: the linter found errors (`findings`, `templateId`)." },
    { status: 502, code: "upstream:hub", description: "360dialog could not be reached; the draft is kept." },
  ],
  async run({ caller, body }) {
    await visibleChannel(caller, body.channelId);
    const outcome = await saveOrSubmitTemplate(caller.actor, { channelId: body.channelId, draft: body.draft, action: body.action });
    if (outcome.kind === "refused") {
      throw new ProblemWith("unprocessable:template_refused", outcome.message, { templateId: outcome.templateId, findings: outcome.findings });
    }
    const row = await getTemplateDetail({ db: await getDb(), id: outcome.templateId });
    if (!row) throw new AppError("not_found:template", "The template disappeared while it was stored.");
    return { template: templateResource(row.template), findings: outcome.kind === "saved" ? outcome.findings : [], message: outcome.message };
  },
});

// ---- invites ----

function encodeInviteCursor(c: { createdAt: string; id: string } | null): string | null {
  return c ? Buffer.from(`${c.createdAt}~${c.id}`, "utf8").toString("base64url") : null;
}
function decodeInviteCursor(value: string | undefined): { createdAt: string; id: string } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?[+-]\d{2}(?::\d{2})?)~([0-9a-f-]{36})$/.exec(Buffer.from(value, "base64url").toString("utf8"));
  if (!m) throw new AppError("invalid:cursor", "The cursor is not one this API issued; start again without `after`.", { fieldErrors: { after: ["Not a cursor of this API."] } });
  return { createdAt: m[1]!, id: m[2]! };
}

export const listInvitesOp = defineOperation({
  operationId: "listInvites",
  method: "GET",
  path: "/api/v1/invites",
  tag: "invite",
  summary: "List invites",
  scope: "read",
  query: z.object({ hub: hubParam, after: cursorParam, limit: limitParam }),
  response: { status: 200, schema: s.invitePageSchema, description: "A page of invites, newest first." },
  errors: [INVALID_QUERY, INVALID_CURSOR],
  async run({ caller, query }) {
    const { hubId, empty } = hubFilter(caller, query.hub);
    if (empty) return { data: [], next: null };
    const page = await listInvites({ hubId, after: decodeInviteCursor(query.after), limit: query.limit });
    return { data: page.rows.map(inviteResource), next: encodeInviteCursor(page.next) };
  },
});

export const getInviteOp = defineOperation({
  operationId: "getInvite",
  method: "GET",
  path: "/api/v1/invites/{id}",
  tag: "invite",
  summary: "Get an invite",
  description: "Its state and uses. The link itself is returned only at creation.",
  scope: "read",
  params: idParams,
  response: { status: 200, schema: s.inviteSchema, description: "The invite." },
  etag: true,
  errors: [NOT_FOUND("invite")],
  async run({ caller, params }) {
    const invite = await findInviteById({ db: await getDb(), id: params.id });
    if (!invite) throw new AppError("not_found:invite", "No such invite.");
    requireVisible(caller, invite.hubId, "invite", "No such invite.");
    return inviteResource(invite);
  },
});

export const createInviteOp = defineOperation({
  operationId: "createInvite",
  method: "POST",
  path: "/api/v1/invites",
  tag: "invite",
  summary: "Create an invite (with prefill), its link and QR code",
  description: "The link and its QR code (SVG) are returned once: only the link's hash is stored.",
  scope: "onboard",
  body: s.inviteCreateSchema,
  response: { status: 201, schema: s.inviteCreatedSchema, description: "The invite with its link." },
  errors: [
    INVALID_BODY,
    { status: 400, code: "invalid:invite", description: "A field is not valid (`errors`), e.g. a permission invite without `prefill.clientId`." },
    { status: 404, code: "not_found:hub", description: "No such hub, or one this token may not see." },
    { status: 502, code: "upstream:hub", description: "360dialog could not be asked about the client; nothing was created." },
  ],
  async run({ caller, body }) {
    requireVisible(caller, body.hubId, "hub", "That hub does not exist.");
    const created = await createInvite(caller.actor, { ...body, expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined });
    return { invite: inviteResource(created.invite), url: created.url, qrSvg: await qrCodeSvg(created.url), directLink: created.directLink };
  },
});

export const revokeInviteOp = defineOperation({
  operationId: "revokeInvite",
  method: "POST",
  path: "/api/v1/invites/{id}/revoke",
  tag: "invite",
  summary: "Revoke an invite",
  description: "Idempotent: revoking again keeps the first time.",
  scope: "onboard",
  params: idParams,
  response: { status: 200, schema: s.inviteSchema, description: "The revoked invite." },
  errors: [NOT_FOUND("invite")],
  async run({ caller, params }) {
    const invite = await findInviteById({ db: await getDb(), id: params.id });
    if (!invite) throw new AppError("not_found:invite", "No such invite.");
    requireVisible(caller, invite.hubId, "invite", "No such invite.");
    return inviteResource(await revokeInvite(caller.actor, params.id));
  },
});

// ---- onboarding sessions ----

const SESSION_STATUSES = ["started", "redirected", "completed", "failed", "cancelled", "expired"] as const;

export const listSessionsOp = defineOperation({
  operationId: "listOnboardingSessions",
  method: "GET",
  path: "/api/v1/onboarding-sessions",
  tag: "onboarding_session",
  summary: "List onboarding sessions",
  description: "Newest first, each with its funnel steps.",
  scope: "read",
  query: z.object({
    hub: hubParam,
    status: z.enum(SESSION_STATUSES).optional(),
    invite: z.uuid().optional().describe("Only sessions started from this invite."),
    client: z.uuid().optional(),
    after: cursorParam,
    limit: limitParam,
  }),
  response: { status: 200, schema: s.sessionPageSchema, description: "A page of sessions." },
  errors: [INVALID_QUERY, INVALID_CURSOR],
  async run({ caller, query }) {
    const { hubId, empty } = hubFilter(caller, query.hub);
    if (empty) return { data: [], next: null };
    const db = await getDb();
    const page = await listSessionsPage({ db, filter: { hubId, status: query.status, inviteId: query.invite, clientId: query.client }, after: decodeApiCursor(query.after), limit: query.limit });
    const data = await Promise.all(page.rows.map(async (r) => sessionResource(r, await listFunnelEvents({ db, sessionId: r.id }))));
    return { data, next: encodeApiCursor(page.next) };
  },
});

export const getSessionOp = defineOperation({
  operationId: "getOnboardingSession",
  method: "GET",
  path: "/api/v1/onboarding-sessions/{id}",
  tag: "onboarding_session",
  summary: "Get an onboarding session with its funnel steps",
  scope: "read",
  params: idParams,
  response: { status: 200, schema: s.sessionSchema, description: "The session." },
  etag: true,
  errors: [NOT_FOUND("onboarding_session")],
  async run({ caller, params }) {
    const loaded = await loadSessionResource(await getDb(), params.id);
    if (!loaded) throw new AppError("not_found:onboarding_session", "No such onboarding session.");
    requireVisible(caller, loaded.hubId, "onboarding_session", "No such onboarding session.");
    return loaded.resource;
  },
});

// ---- webhook inbox ----

export const listWebhookEventsOp = defineOperation({
  operationId: "listWebhookEvents",
  method: "GET",
  path: "/api/v1/webhook-events",
  tag: "webhook_event",
  summary: "List the webhook inbox",
  description: "Deliveries 360dialog sent to the portal, newest first. Filters as the dashboard's.",
  scope: "read",
  query: z.object({
    hub: hubParam,
    event: z.string().regex(/^[\w.:-]{1,64}$/).optional(),
    channel: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().describe("A 360dialog channel id."),
    status: z.enum(["pending", "processing", "done", "failed", "dead", "ignored", "held"]).optional(),
    after: cursorParam,
    limit: limitParam,
  }),
  response: { status: 200, schema: s.webhookEventPageSchema, description: "A page of deliveries." },
  errors: [INVALID_QUERY, INVALID_CURSOR],
  async run({ caller, query }) {
    const { hubId, empty } = hubFilter(caller, query.hub);
    if (empty) return { data: [], next: null };
    const page = await listWebhookEventsPage({ db: await getDb(), filter: { hubId, event: query.event, channel: query.channel, status: query.status }, after: decodeApiCursor(query.after), limit: query.limit });
    return { data: page.rows.map(webhookEventResource), next: encodeApiCursor(page.next) };
  },
});

export const getWebhookEventOp = defineOperation({
  operationId: "getWebhookEvent",
  method: "GET",
  path: "/api/v1/webhook-events/{id}",
  tag: "webhook_event",
  summary: "Get one webhook delivery",
  scope: "read",
  params: idParams,
  response: { status: 200, schema: s.webhookEventDetailSchema, description: "The delivery, its body redacted." },
  etag: true,
  errors: [NOT_FOUND("webhook_event")],
  async run({ caller, params }) {
    const row = await getWebhookEventDetail({ db: await getDb(), id: params.id });
    if (!row) throw new AppError("not_found:webhook_event", "No such webhook delivery.");
    requireVisible(caller, row.event.hubId, "webhook_event", "No such webhook delivery.");
    return { ...webhookEventResource(row.event), body: redactWebhookBody(row.event.rawBody), processedAt: row.event.processedAt?.toISOString() ?? null };
  },
});

// ---- outbound webhook endpoints (docs/outbound-webhooks.md §1) ----

/** A hub-bound token sees and makes only endpoints of its hub (an every-hub endpoint would hear other hubs). */
async function visibleEndpoint(caller: ApiCaller, id: string) {
  const endpoint = await requireEndpoint(await getDb(), id);
  if (caller.hubId && endpoint.hubId !== caller.hubId) throw new AppError("not_found:webhook_endpoint", "That endpoint does not exist.");
  return endpoint;
}
function hubForToken(caller: ApiCaller, requested: string | null | undefined): string | null | undefined {
  if (!caller.hubId) return requested;
  if (requested !== undefined && requested !== caller.hubId) throw new AppError("not_found:hub", "That hub does not exist.");
  return caller.hubId;
}
const INVALID_ENDPOINT = { status: 400, code: "invalid:webhook_endpoint", description: "A field is not valid (`errors`): a URL that is not https, points at a private address, an unknown event type or hub." };

export const listWebhookEndpointsOp = defineOperation({
  operationId: "listWebhookEndpoints",
  method: "GET",
  path: "/api/v1/webhook-endpoints",
  tag: "webhook_endpoint",
  summary: "List outbound webhook endpoints",
  scope: "webhooks",
  query: z.object({ after: cursorParam, limit: limitParam }),
  response: { status: 200, schema: s.webhookEndpointPageSchema, description: "A page of endpoints." },
  errors: [INVALID_QUERY, INVALID_CURSOR],
  async run({ caller, query }) {
    let afterId: string | undefined;
    if (query.after !== undefined) {
      afterId = Buffer.from(query.after, "base64url").toString("utf8");
      if (!z.uuid().safeParse(afterId).success) throw new AppError("invalid:cursor", "The cursor is not one this API issued; start again without `after`.", { fieldErrors: { after: ["Not a cursor of this API."] } });
    }
    const rows = await listEndpoints({ db: await getDb(), afterId, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const next = rows.length > query.limit ? Buffer.from(page.at(-1)!.id, "utf8").toString("base64url") : null;
    return { data: page.filter((e) => !caller.hubId || e.hubId === caller.hubId).map((e) => webhookEndpointResource(e)), next };
  },
});

export const getWebhookEndpointOp = defineOperation({
  operationId: "getWebhookEndpoint",
  method: "GET",
  path: "/api/v1/webhook-endpoints/{id}",
  tag: "webhook_endpoint",
  summary: "Get an outbound webhook endpoint",
  scope: "webhooks",
  params: idParams,
  response: { status: 200, schema: s.webhookEndpointSchema, description: "The endpoint (never its secret)." },
  etag: true,
  errors: [NOT_FOUND("webhook_endpoint")],
  async run({ caller, params }) {
    return webhookEndpointResource(await visibleEndpoint(caller, params.id));
  },
});

export const createWebhookEndpointOp = defineOperation({
  operationId: "createWebhookEndpoint",
  method: "POST",
  path: "/api/v1/webhook-endpoints",
  tag: "webhook_endpoint",
  summary: "Subscribe an endpoint to the portal's events",
  description: "The signing secret is in this answer only. Verify deliveries with any Standard Webhooks library (docs/outbound-webhooks.md).",
  scope: "webhooks",
  body: s.webhookEndpointCreateSchema,
  response: { status: 201, schema: s.webhookEndpointWithSecretSchema, description: "The endpoint and its secret." },
  errors: [INVALID_BODY, INVALID_ENDPOINT, { status: 404, code: "not_found:hub", description: "A hub-bound token asked for another hub." }],
  async run({ caller, body }) {
    const created = await createEndpoint(caller.actor, { ...body, hubId: hubForToken(caller, body.hubId) });
    return { endpoint: webhookEndpointResource(created.endpoint), secret: created.secret };
  },
});

export const updateWebhookEndpointOp = defineOperation({
  operationId: "updateWebhookEndpoint",
  method: "PATCH",
  path: "/api/v1/webhook-endpoints/{id}",
  tag: "webhook_endpoint",
  summary: "Change an endpoint (URL, description, event types, hub, enabled)",
  scope: "webhooks",
  params: idParams,
  body: s.webhookEndpointUpdateSchema,
  response: { status: 200, schema: s.webhookEndpointSchema, description: "The endpoint as changed." },
  errors: [INVALID_BODY, INVALID_ENDPOINT, NOT_FOUND("webhook_endpoint")],
  async run({ caller, params, body }) {
    await visibleEndpoint(caller, params.id);
    const hubId = body.hubId === undefined ? undefined : hubForToken(caller, body.hubId);
    return webhookEndpointResource(await updateEndpoint(caller.actor, params.id, { ...body, hubId }));
  },
});

export const deleteWebhookEndpointOp = defineOperation({
  operationId: "deleteWebhookEndpoint",
  method: "DELETE",
  path: "/api/v1/webhook-endpoints/{id}",
  tag: "webhook_endpoint",
  summary: "Delete an endpoint with its delivery log",
  scope: "webhooks",
  params: idParams,
  response: { status: 200, schema: s.webhookEndpointDeletedSchema, description: "Deleted; nothing more is sent to it." },
  errors: [NOT_FOUND("webhook_endpoint")],
  async run({ caller, params }) {
    await visibleEndpoint(caller, params.id);
    await deleteEndpoint(caller.actor, params.id);
    return { id: params.id, deleted: true as const };
  },
});

export const rotateWebhookSecretOp = defineOperation({
  operationId: "rotateWebhookEndpointSecret",
  method: "POST",
  path: "/api/v1/webhook-endpoints/{id}/rotate-secret",
  tag: "webhook_endpoint",
  summary: "Rotate an endpoint's signing secret",
  description: "The new secret is in this answer only. The previous one keeps signing beside it (two `v1,` signatures) for `overlapHours` (default 24).",
  scope: "webhooks",
  params: idParams,
  body: s.webhookSecretRotateSchema,
  response: { status: 200, schema: s.webhookEndpointWithSecretSchema, description: "The endpoint and its new secret." },
  errors: [INVALID_BODY, NOT_FOUND("webhook_endpoint")],
  async run({ caller, params, body }) {
    await visibleEndpoint(caller, params.id);
    const rotated = await rotateEndpointSecret(caller.actor, params.id, { overlapHours: body.overlapHours ?? undefined });
    return { endpoint: webhookEndpointResource(rotated.endpoint), secret: rotated.secret };
  },
});

export const API_OPERATIONS: readonly AnyOperation[] = [
  listHubsOp,
  listClientsOp,
  getClientOp,
  listChannelsOp,
  getChannelOp,
  claimApiKeyOp,
  listTemplatesOp,
  getTemplateOp,
  createTemplateOp,
  listInvitesOp,
  getInviteOp,
  createInviteOp,
  revokeInviteOp,
  listSessionsOp,
  getSessionOp,
  listWebhookEventsOp,
  getWebhookEventOp,
  listWebhookEndpointsOp,
  getWebhookEndpointOp,
  createWebhookEndpointOp,
  updateWebhookEndpointOp,
  rotateWebhookSecretOp,
  deleteWebhookEndpointOp,
];

