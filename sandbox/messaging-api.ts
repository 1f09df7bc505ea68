import { z } from "zod";
import type { SandboxContext } from "./context";
import { isHttpUrl, metaError, parseOr, readJson, sendJson, type RequestContext, type Router } from "./http-util";
import { listEnvelope, parseListQuery } from "./listing";
import { SUBCODE, graphError, validateEdit, validateTemplate } from "./template-rules";
import type { Channel } from "./types";
import { templateView } from "./views";

// Messaging API stand-in at the sandbox root (it is the `address` of every key the sandbox issues):
// template management and the channel's messaging webhook, authenticated by `D360-API-KEY` (docs/hub-contract.md §6).

const webhookBody = z
  .object({
    url: z.string().refine(isHttpUrl, "must be an http(s) URL"),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .strict();

function channelFor(ctx: RequestContext, sb: SandboxContext): Channel {
  const raw = ctx.req.headers["d360-api-key"];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key) throw metaError(401, "Missing D360-API-KEY header");
  const channel = sb.state.channelByKey(key);
  if (!channel) throw metaError(401, "Invalid or revoked D360-API-KEY");
  return channel;
}

export function registerMessagingApi(router: Router, sb: SandboxContext): void {
  const { state, templates } = sb;

  router.on("GET", "/v1/configs/templates", (ctx) => {
    const channel = channelFor(ctx, sb);
    const q = parseListQuery(ctx.query, (m) => metaError(400, m));
    sendJson(ctx.res, 200, listEnvelope("waba_templates", templates.ofChannel(channel).map(templateView), q));
  });

  router.on("POST", "/v1/configs/templates", async (ctx) => {
    const channel = channelFor(ctx, sb);
    const body = await readJson(ctx, (m) => graphError(SUBCODE.components, "Invalid request", m));
    const existing = templates.ofChannel(channel);
    const valid = validateTemplate(body, (name, language) => existing.some((t) => t.name === name && t.language === language));
    // Meta holds a deleted name and language for about 4 weeks; its words as real integrations quote them
    // (docs/templates-meta.md §2).
    if (templates.recentlyDeleted(channel, valid.name, valid.language)) {
      throw graphError(
        SUBCODE.deletedName,
        "Message template language is being deleted",
        `New ${valid.language} content can't be added while the existing ${valid.language} content is being deleted. Try again in 4 weeks or consider creating a new message template.`,
      );
    }
    const t = templates.submit(channel, valid);
    // Status code and initial status UNVERIFIED (docs/hub-contract.md §6): the sandbox answers 201 with "submitted".
    sendJson(ctx.res, 201, {
      id: t.id,
      name: t.name,
      language: t.language,
      category: t.category,
      components: t.components,
      status: t.status,
      rejected_reason: t.rejectedReason,
      namespace: t.namespace,
      ...(t.parameterFormat ? { parameter_format: t.parameterFormat } : {}),
    });
  });

  // In-place edit by template id (docs/templates-meta.md §2; path UNVERIFIED, see lib/hub/messaging-api.ts):
  // components and category only, Meta's limits applied, back to review. Off (config templateEditing) it is
  // absent, as on a hub that does not offer it.
  router.on("PATCH", "/v1/configs/templates/:id", async (ctx) => {
    const channel = channelFor(ctx, sb);
    if (!state.config.templateEditing) throw metaError(404, "Unknown path components: /v1/configs/templates/{id}");
    const template = templates.ofChannel(channel).find((t) => t.id === ctx.params.id);
    if (!template) throw metaError(404, `template id=${ctx.params.id ?? ""} not found`);
    const body = await readJson(ctx, (m) => graphError(SUBCODE.components, "Invalid request", m));
    const valid = validateEdit(body, template);
    const refusal = templates.editRefusal(template, valid.category);
    if (refusal) throw graphError(SUBCODE.editRefused, refusal.title, refusal.message);
    templates.edit(template, valid);
    // Meta answers an edit with {"success": true}.
    sendJson(ctx.res, 200, { success: true });
  });

  router.on("DELETE", "/v1/configs/templates/:name", (ctx) => {
    const channel = channelFor(ctx, sb);
    const name = ctx.params.name ?? "";
    if (templates.deleteByName(channel, name) === 0) throw metaError(404, `template name=${name} not found`);
    sendJson(ctx.res, 200, { meta: { developer_message: `template name=${name} was deleted`, http_code: 200, success: true } });
  });

  // The WABA webhook, set with any of the WABA's numbers' keys (docs/waba-webhook.md §1): one per WABA.
  router.on("GET", "/waba_webhook", (ctx) => {
    const channel = channelFor(ctx, sb);
    sendJson(ctx.res, 200, { url: channel.wabaWebhook?.url ?? null, headers: channel.wabaWebhook?.headers ?? {} });
  });

  router.on("POST", "/waba_webhook", async (ctx) => {
    const channel = channelFor(ctx, sb);
    const body = parseOr(webhookBody, await readJson(ctx, (m) => metaError(400, m)));
    const hook = { url: body.url, headers: body.headers ?? {} };
    for (const c of state.channels.values()) {
      if (c.wabaAccountId !== channel.wabaAccountId) continue;
      c.wabaWebhook = hook;
      c.modifiedAt = state.iso();
    }
    state.changed();
    sendJson(ctx.res, 200, { url: body.url, headers: hook.headers });
  });

  router.on("GET", "/v1/configs/webhook", (ctx) => {
    const channel = channelFor(ctx, sb);
    sendJson(ctx.res, 200, { url: channel.messagingWebhook?.url ?? null });
  });

  router.on("POST", "/v1/configs/webhook", async (ctx) => {
    const channel = channelFor(ctx, sb);
    const body = parseOr(webhookBody, await readJson(ctx, (m) => metaError(400, m)));
    channel.messagingWebhook = { url: body.url, headers: body.headers ?? {} };
    channel.modifiedAt = state.iso();
    state.changed();
    sendJson(ctx.res, 200, { url: body.url });
  });
}
