import { z } from "zod";
import type { SandboxContext } from "./context";
import { isHttpUrl, metaError, parseOr, readJson, sendJson, type RequestContext, type Router } from "./http-util";
import { listEnvelope, parseListQuery } from "./listing";
import { authenticate, issueToken } from "./partner-auth";
import { maskSecret } from "./state";
import type { Channel, Client, Partner } from "./types";
import { channelView, clientView, partnerView } from "./views";
import { registerAccountSharing } from "./account-sharing";

// Partner API under /api/v2 (docs/hub-contract.md §5). Errors use the meta envelope.

const httpUrl = z.string().refine(isHttpUrl, "must be an http(s) URL");
const badJson = (message: string) => metaError(400, message);

const partnerPatch = z.object({ partner_redirect_url: httpUrl.nullable().optional(), webhook_url: httpUrl.nullable().optional() }).strict();
const webhookUrlBody = z
  .object({ webhook_url: httpUrl.nullable(), headers: z.record(z.string(), z.string()).optional() })
  .strict();
const clientPatch = z
  .object({ partner_payload: z.string().max(2048).nullable().optional(), max_channels: z.number().int().min(1).max(1000).optional() })
  .strict();

export function clientOf(sb: SandboxContext, partner: Partner, clientId: string): Client {
  const client = sb.state.clients.get(clientId);
  if (!client || client.partnerId !== partner.id) throw metaError(404, `Client ${clientId} not found`);
  return client;
}

export function channelOf(sb: SandboxContext, partner: Partner, channelId: string): Channel {
  const channel = sb.state.channels.get(channelId);
  if (!channel || channel.partnerId !== partner.id) throw metaError(404, `Channel ${channelId} not found`);
  return channel;
}

export function registerPartnerApi(router: Router, sb: SandboxContext): void {
  const { state } = sb;
  const P = "/api/v2/partners/:pid";
  const auth = (ctx: RequestContext) => authenticate(ctx, sb);

  router.on("POST", "/api/v2/token", (ctx) => issueToken(ctx, sb));

  router.on("GET", P, (ctx) => sendJson(ctx.res, 200, partnerView(auth(ctx))));

  router.on("PATCH", P, async (ctx) => {
    const partner = auth(ctx);
    const body = parseOr(partnerPatch, await readJson(ctx, badJson));
    if (body.partner_redirect_url !== undefined) partner.redirectUrl = body.partner_redirect_url;
    if (body.webhook_url !== undefined) partner.webhookUrl = body.webhook_url;
    state.changed();
    sendJson(ctx.res, 200, partnerView(partner));
  });

  router.on("GET", `${P}/webhook_url`, (ctx) => sendJson(ctx.res, 200, { webhook_url: auth(ctx).webhookUrl }));

  router.on("POST", `${P}/webhook_url`, async (ctx) => {
    const partner = auth(ctx);
    const body = parseOr(webhookUrlBody, await readJson(ctx, badJson));
    partner.webhookUrl = body.webhook_url;
    // Field name for custom headers UNVERIFIED (docs/hub-contract.md §4.1); the sandbox takes `headers`.
    if (body.headers) partner.webhookHeaders = body.headers;
    state.changed();
    sendJson(ctx.res, 200, { webhook_url: partner.webhookUrl });
  });

  router.on("GET", `${P}/clients`, (ctx) => {
    const partner = auth(ctx);
    const q = parseListQuery(ctx.query, badJson);
    sendJson(ctx.res, 200, listEnvelope("clients", state.clientsOf(partner.id).map(clientView), q));
  });

  router.on("PATCH", `${P}/clients/:cid`, async (ctx) => {
    const partner = auth(ctx);
    const client = clientOf(sb, partner, ctx.params.cid ?? "");
    const body = parseOr(clientPatch, await readJson(ctx, badJson));
    if (body.partner_payload !== undefined) client.partnerPayload = body.partner_payload;
    if (body.max_channels !== undefined) client.maxChannels = body.max_channels;
    client.modifiedAt = state.iso();
    state.changed();
    sendJson(ctx.res, 200, clientView(client));
  });

  // Response shape UNVERIFIED (docs/hub-contract.md §5.3): the sandbox answers {numbers: [{id, phone_number, status, shared}]}.
  router.on("GET", `${P}/clients/:cid/shared_client_numbers`, (ctx) => {
    const partner = auth(ctx);
    const client = clientOf(sb, partner, ctx.params.cid ?? "");
    const numbers = state
      .channelsOfClient(client.id)
      .filter((ch) => ch.partnerId === partner.id)
      .map((ch) => ({ id: ch.id, phone_number: ch.phoneNumber, status: ch.status, shared: ch.permitted }));
    sendJson(ctx.res, 200, { numbers });
  });

  router.on("GET", `${P}/channels`, (ctx) => {
    const partner = auth(ctx);
    const q = parseListQuery(ctx.query, badJson);
    const items = state.channelsOf(partner.id).map((ch) => channelView(ch, state.clients.get(ch.clientId)));
    sendJson(ctx.res, 200, listEnvelope("partner_channels", items, q));
  });

  router.on("POST", `${P}/channels/:chid/api_keys`, (ctx) => {
    const partner = auth(ctx);
    const channel = channelOf(sb, partner, ctx.params.chid ?? "");
    if (channel.status !== "running") {
      throw metaError(400, `Channel ${channel.id} is in status "${channel.status}"; API keys can only be generated for running channels`);
    }
    if (!channel.permitted) {
      throw metaError(403, `The client has not granted the partner permission for channel ${channel.id} (permission screen)`);
    }
    const injected = sb.faults.takeApiKeyFailure();
    if (injected) throw injected;
    const key = sb.lifecycle.issueApiKey(channel);
    // Flat object with 201 (docs/hub-contract.md §5.3 CONFLICT: the portal also accepts an api_keys[] wrapper).
    sendJson(ctx.res, 201, { id: key.id, address: sb.baseUrl(), api_key: key.key, app_id: channel.appId });
  });

  router.on("GET", `${P}/channels/:chid/api_keys`, (ctx) => {
    const partner = auth(ctx);
    const channel = channelOf(sb, partner, ctx.params.chid ?? "");
    const keys = state.apiKeys
      .filter((k) => k.channelId === channel.id && k.revokedAt === null)
      .map((k) => ({ id: k.id, address: sb.baseUrl(), api_key: maskSecret(k.key), app_id: channel.appId, created_at: k.createdAt }));
    sendJson(ctx.res, 200, { api_keys: keys });
  });

  registerAccountSharing(router, sb, auth);
}
