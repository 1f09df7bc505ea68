import { z } from "zod";
import type { SandboxContext } from "./context";
import { faultSchema } from "./faults";
import { metaError, parseOr, readJson, sendJson, type Router } from "./http-util";
import { normalisePhone } from "./io-pages";
import { STATUS_EVENTS } from "./lifecycle";
import { partnerSeedSchema, upsertPartner } from "./partners";
import { maskSecret } from "./state";
import { newEventId as eventIdOf } from "./ids";
import { validateTemplate } from "./template-rules";
import { channelView, clientView, templateView } from "./views";

// Control API under /_sandbox/ (no auth: the sandbox listens on 127.0.0.1 by default). See sandbox/README.md.

const badJson = (message: string) => metaError(400, message);
const nonNegative = z.number().int().min(0);

const configSchema = z
  .object({
    lifecycleDelayMs: nonNegative.max(3_600_000),
    templateReviewDelayMs: z.number().int().min(-1).max(3_600_000),
    templateEditing: z.boolean(),
    tokenTtlSeconds: z.number().int().min(1).max(31_536_000),
    ioSignatureWindowSeconds: z.number().int().min(1).max(86_400),
    webhookMaxAttempts: z.number().int().min(1).max(50),
    webhookRetryBaseMs: nonNegative.max(3_600_000),
    webhookRetryMaxMs: nonNegative.max(86_400_000),
    webhookTimeoutMs: z.number().int().min(1).max(120_000),
  })
  .partial()
  .strict();

const onboardSchema = z
  .object({
    partnerId: z.string().min(1),
    email: z.email().optional(),
    name: z.string().min(1).max(200).optional(),
    companyName: z.string().min(1).max(200).optional(),
    phoneNumber: z.string().min(1).max(40).optional(),
    permission: z.boolean().optional(),
    clientId: z.string().min(1).optional(),
    partnerPayload: z.string().max(2048).optional(),
  })
  .strict();

const channelStatusSchema = z
  .object({ status: z.string().regex(/^[a-z_]{1,50}$/, "lowercase letters and _"), event: z.string().min(1).max(100).nullable().optional() })
  .strict();
const templateStatusSchema = z
  .object({ status: z.string().regex(/^[A-Za-z_]{1,50}$/), rejectedReason: z.string().max(200).nullable().optional() })
  .strict();
const cancellationSchema = z
  .object({
    step: z.enum(["request", "revoke", "process"]),
    terminatedAt: z.iso.datetime({ offset: true }).optional(),
    status: z.string().regex(/^[a-z_]{1,50}$/, "lowercase letters and _").optional(),
  })
  .strict();
// Only the fields the partner-webhook docs name (`phone_number`, `violation_type`); a restriction type goes in
// Meta's own `restriction_info` shape (docs/channel-lifecycle.md §2).
const violationSchema = z
  .object({
    event: z.enum(["account_violation", "account_restriction"]),
    violationType: z.string().min(1).max(100).optional(),
    restrictionType: z.string().min(1).max(100).optional(),
    expiration: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
const signalSchema = z
  .object({ qualityRating: z.string().min(1).max(40).optional(), messagingLimit: z.string().min(1).max(40).optional() })
  .strict();
const eventSchema = z
  .object({ partnerId: z.string().min(1), event: z.string().min(1).max(100), channelId: z.string().optional(), data: z.unknown().optional() })
  .strict();

export function registerControlApi(router: Router, sb: SandboxContext): void {
  const { state, lifecycle, faults, webhooks } = sb;

  router.on("GET", "/_sandbox/health", (ctx) => sendJson(ctx.res, 200, { ok: true, url: sb.baseUrl() }));

  router.on("POST", "/_sandbox/reset", (ctx) => {
    sb.reset();
    sendJson(ctx.res, 200, { ok: true });
  });

  router.on("GET", "/_sandbox/state", (ctx) => {
    sendJson(ctx.res, 200, {
      partners: [...state.partners.values()].map((p) => ({
        ...p,
        apiKey: maskSecret(p.apiKey),
        password: p.password === null ? null : maskSecret(p.password),
        platformSecret: maskSecret(p.platformSecret),
      })),
      clients: [...state.clients.values()].map(clientView),
      channels: [...state.channels.values()].map((ch) => ({
        ...channelView(ch, state.clients.get(ch.clientId)),
        permitted: ch.permitted,
        messaging_webhook_url: ch.messagingWebhook?.url ?? null,
        waba_webhook_url: ch.wabaWebhook?.url ?? null,
      })),
      apiKeys: state.apiKeys.map((k) => ({ id: k.id, channelId: k.channelId, apiKey: maskSecret(k.key), createdAt: k.createdAt, revokedAt: k.revokedAt })),
      templates: [...state.templates.values()].filter((t) => !t.deletedAt).map((t) => ({ ...templateView(t), channel_id: t.channelId })),
      deliveries: { count: state.deliveryCount, pending: webhooks.pending },
      config: state.config,
      faults: faults.current,
    });
  });

  router.on("POST", "/_sandbox/partners", async (ctx) => {
    const seed = parseOr(partnerSeedSchema, await readJson(ctx, badJson));
    let result;
    try {
      result = upsertPartner(state, seed);
    } catch (error) {
      throw metaError(409, (error as Error).message);
    }
    sendJson(ctx.res, result.created ? 201 : 200, { id: result.partner.id, created: result.created });
  });

  router.on("POST", "/_sandbox/onboard", async (ctx) => {
    const body = parseOr(onboardSchema, await readJson(ctx, badJson));
    const partner = state.partners.get(body.partnerId);
    if (!partner) throw metaError(404, `Partner ${body.partnerId} not found`);
    let phone: string | undefined;
    if (body.phoneNumber !== undefined) {
      phone = normalisePhone(body.phoneNumber) ?? undefined;
      if (!phone) throw metaError(400, "phoneNumber must be an international phone number");
    }
    let client = body.clientId ? state.clients.get(body.clientId) : undefined;
    if (body.clientId && (!client || client.partnerId !== partner.id)) throw metaError(404, `Client ${body.clientId} not found`);
    client ??= lifecycle.createClient(partner, {
      email: body.email,
      fullName: body.name,
      companyName: body.companyName,
      partnerPayload: body.partnerPayload,
    });
    const direct = partner.paymentMode === "direct";
    const channel = lifecycle.createChannel(partner, client, {
      phoneNumber: phone,
      permitted: direct ? false : (body.permission ?? true),
    });
    if (direct && body.permission) lifecycle.grantPermission(channel);
    sendJson(ctx.res, 201, { clientId: client.id, channelIds: [channel.id] });
  });

  router.on("POST", "/_sandbox/channels/:id/status", async (ctx) => {
    const body = parseOr(channelStatusSchema, await readJson(ctx, badJson));
    const channel = state.channels.get(ctx.params.id ?? "");
    if (!channel) throw metaError(404, `Channel ${ctx.params.id ?? ""} not found`);
    const event = body.event === undefined ? (STATUS_EVENTS[body.status] ?? null) : body.event;
    lifecycle.setStatus(channel, body.status, event, true);
    sendJson(ctx.res, 200, { channel: channelView(channel, state.clients.get(channel.clientId)), event });
  });

  router.on("POST", "/_sandbox/channels/:id/cancellation", async (ctx) => {
    const body = parseOr(cancellationSchema, await readJson(ctx, badJson));
    const channel = state.channels.get(ctx.params.id ?? "");
    if (!channel) throw metaError(404, `Channel ${ctx.params.id ?? ""} not found`);
    const eventId =
      body.step === "request"
        ? lifecycle.requestCancellation(channel, body.terminatedAt)
        : body.step === "revoke"
          ? lifecycle.revokeCancellation(channel)
          : lifecycle.processCancellation(channel, body.status);
    sendJson(ctx.res, 202, { eventId, channel: channelView(channel, state.clients.get(channel.clientId)) });
  });

  router.on("POST", "/_sandbox/channels/:id/violation", async (ctx) => {
    const body = parseOr(violationSchema, await readJson(ctx, badJson));
    const channel = state.channels.get(ctx.params.id ?? "");
    if (!channel) throw metaError(404, `Channel ${ctx.params.id ?? ""} not found`);
    const data: Record<string, unknown> = { phone_number: channel.phoneNumber };
    if (body.violationType) data.violation_type = body.violationType;
    if (body.restrictionType) data.restriction_info = [{ restriction_type: body.restrictionType, ...(body.expiration ? { expiration: body.expiration } : {}) }];
    sendJson(ctx.res, 202, { eventId: webhooks.emit(channel.partnerId, body.event, data) });
  });

  // The channel object's `current_quality_rating` / `current_limit` (seen by the next listing or channel event).
  router.on("POST", "/_sandbox/channels/:id/signals", async (ctx) => {
    const body = parseOr(signalSchema, await readJson(ctx, badJson));
    const channel = state.channels.get(ctx.params.id ?? "");
    if (!channel) throw metaError(404, `Channel ${ctx.params.id ?? ""} not found`);
    if (body.qualityRating !== undefined) channel.qualityRating = body.qualityRating;
    if (body.messagingLimit !== undefined) channel.messagingLimit = body.messagingLimit;
    channel.modifiedAt = state.iso();
    state.changed();
    sendJson(ctx.res, 200, channelView(channel, state.clients.get(channel.clientId)));
  });

  router.on("POST", "/_sandbox/channels/:id/permission", async (ctx) => {
    const body = parseOr(z.object({ granted: z.boolean() }).strict(), await readJson(ctx, badJson));
    const channel = state.channels.get(ctx.params.id ?? "");
    if (!channel) throw metaError(404, `Channel ${ctx.params.id ?? ""} not found`);
    if (body.granted) lifecycle.grantPermission(channel);
    else lifecycle.revokePermission(channel);
    sendJson(ctx.res, 200, { id: channel.id, permitted: channel.permitted });
  });

  // Meta's events for a number's WABA, through its WABA webhook only (docs/waba-webhook.md §1, §5).
  const channelOf = (id: string | undefined) => {
    const channel = state.channels.get(id ?? "");
    if (!channel) throw metaError(404, `Channel ${id ?? ""} not found`);
    return channel;
  };
  const displayNumber = (phone: string) => phone.replace(/\D/g, "");

  router.on("POST", "/_sandbox/channels/:id/quality", async (ctx) => {
    const body = parseOr(
      z.object({ event: z.string().min(1).default("UPGRADE"), currentLimit: z.string().min(1).default("TIER_10K"), oldLimit: z.string().min(1).optional() }).strict(),
      await readJson(ctx, badJson),
    );
    const channel = channelOf(ctx.params.id);
    const eventId = webhooks.sendWaba(channel, "phone_number_quality_update", {
      display_phone_number: displayNumber(channel.phoneNumber),
      event: body.event,
      current_limit: body.currentLimit,
      ...(body.oldLimit ? { old_limit: body.oldLimit } : {}),
    });
    sendJson(ctx.res, 202, { eventId });
  });

  router.on("POST", "/_sandbox/channels/:id/waba-event", async (ctx) => {
    const body = parseOr(z.object({ field: z.string().min(1), value: z.record(z.string(), z.unknown()) }).strict(), await readJson(ctx, badJson));
    sendJson(ctx.res, 202, { eventId: webhooks.sendWaba(channelOf(ctx.params.id), body.field, body.value) });
  });

  router.on("POST", "/_sandbox/channels/:id/inbound", async (ctx) => {
    const body = parseOr(z.object({ text: z.string().min(1).max(4096), from: z.string().regex(/^\d{6,15}$/).default("16505551234") }).strict(), await readJson(ctx, badJson));
    const channel = channelOf(ctx.params.id);
    const eventId = webhooks.sendMessages(channel, {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: displayNumber(channel.phoneNumber), phone_number_id: channel.id },
      contacts: [{ profile: { name: "Sandbox user" }, wa_id: body.from }],
      messages: [{ from: body.from, id: `wamid.${eventIdOf()}`, timestamp: String(state.nowSeconds()), type: "text", text: { body: body.text } }],
    });
    sendJson(ctx.res, 202, { eventId, via: channel.messagingWebhook ? "number" : "waba" });
  });

  // A template made outside the portal (the Hub, WhatsApp Manager) on a channel's WABA: what the Messaging API's
  // create takes, validated the same way, without needing the channel's key.
  router.on("POST", "/_sandbox/channels/:id/templates", async (ctx) => {
    const channel = state.channels.get(ctx.params.id ?? "");
    if (!channel) throw metaError(404, `Channel ${ctx.params.id ?? ""} not found`);
    const existing = sb.templates.ofChannel(channel);
    const valid = validateTemplate(await readJson(ctx, badJson), (name, language) => existing.some((t) => t.name === name && t.language === language));
    sendJson(ctx.res, 201, templateView(sb.templates.submit(channel, valid)));
  });

  router.on("POST", "/_sandbox/templates/:id/status", async (ctx) => {
    const body = parseOr(templateStatusSchema, await readJson(ctx, badJson));
    const template = state.templates.get(ctx.params.id ?? "");
    if (!template) throw metaError(404, `Template ${ctx.params.id ?? ""} not found`);
    sb.templates.setStatus(template, body.status, body.rejectedReason ?? null);
    sendJson(ctx.res, 200, templateView(template));
  });

  router.on("POST", "/_sandbox/events", async (ctx) => {
    const body = parseOr(eventSchema, await readJson(ctx, badJson));
    if (!state.partners.has(body.partnerId)) throw metaError(404, `Partner ${body.partnerId} not found`);
    const channel = body.channelId ? state.channels.get(body.channelId) : undefined;
    if (body.channelId && !channel) throw metaError(404, `Channel ${body.channelId} not found`);
    const data = body.data ?? (channel ? channelView(channel, state.clients.get(channel.clientId)) : {});
    sendJson(ctx.res, 202, { eventId: webhooks.emit(body.partnerId, body.event, data) });
  });

  router.on("GET", "/_sandbox/faults", (ctx) => sendJson(ctx.res, 200, faults.current));
  router.on("POST", "/_sandbox/faults", async (ctx) => {
    faults.set(parseOr(faultSchema, await readJson(ctx, badJson)));
    sendJson(ctx.res, 200, faults.current);
  });

  router.on("GET", "/_sandbox/config", (ctx) => sendJson(ctx.res, 200, state.config));
  router.on("POST", "/_sandbox/config", async (ctx) => {
    const patch = parseOr(configSchema, await readJson(ctx, badJson));
    state.config = { ...state.config, ...patch };
    sendJson(ctx.res, 200, state.config);
  });

  router.on("GET", "/_sandbox/deliveries", (ctx) => {
    const { event, kind, eventId } = Object.fromEntries(ctx.query);
    const deliveries = state.deliveries.filter(
      (d) => (!event || d.event === event) && (!kind || d.kind === kind) && (!eventId || d.eventId === eventId),
    );
    sendJson(ctx.res, 200, { count: deliveries.length, deliveries });
  });
}
