import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import { insertTemplate } from "@/db/queries/templates";
import { channelEvents, hubs, jobs, templateEvents, templates, webhookEvents, type Channel, type Hub, type Template } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { bindAppDatabase } from "@/test/db/use-as-app-db";
import { createHub, createUser, setTestEnvironment, storeWebhook } from "@/test/support/channels";
import { rotateWabaWebhookSecret, setChannelWabaWebhook, wabaWebhookSecretOf, wabaWebhookUrlFor } from "../channels/waba-webhook";
import { HubError } from "../hub/http";
import { WABA_SECRET_HEADER } from "../hub/meta-events";
import type { MessagingApi } from "../hub/messaging-api";
import { activateApiKey, claimApiKeyGrant, findApiKeyForGrant } from "@/db/queries/api-keys";
import { sealSecret } from "../secrets";
import { keyAad } from "../channels/api-keys";
import { applyWebhookEvent } from "./apply";
import { forwardDelivery } from "./forward";
import { replayWebhookEvent } from "./replay";
import { applyObservation } from "../templates/sync";
import { ingestWabaDelivery } from "./waba-ingest";
import { forgetCachedHubs } from "../hub-config/cache";
import { wabaPathToken } from "../hub-config/secrets";
import { listChannelsNeedingWabaWebhook } from "@/db/queries/waba-webhook";

setTestEnvironment();

// Meta's WABA webhook end to end in the portal (docs/waba-webhook.md): the real receiver with the hub's secret
// header, the contract fixtures (test/fixtures/meta) applied by the real appliers, message traffic forwarded by the
// real job code to a real HTTP server, and the per-number WABA webhook state.

const FIXTURES = path.join(process.cwd(), "test/fixtures/meta");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, `${name}.json`), "utf8");
const WABA = "102290129340398";
const TEMPLATE_ID = "1689556908129832";

const headersOf = (record: Record<string, string>) => {
  const h = new Headers(record);
  return { get: (name: string) => h.get(name), forEach: (cb: (value: string, name: string) => void) => h.forEach(cb) };
};
const deliver = (hubId: string, body: string, headers: Record<string, string>, pathToken?: string) =>
  ingestWabaDelivery({ hubId, pathToken, headers: headersOf(headers), readBody: async () => ({ ok: true, bytes: new TextEncoder().encode(body) }) });

forEachDatabase("the WABA webhook", (ctx) => {
  let hub: Hub;
  let secret: string;
  let channel: Channel;
  let template: Template;
  let forwarded: { body: string; contentType: string | undefined }[] = [];
  let answer = 200;
  let server: Server;
  let restore = () => {};

  const send = async (name: string) => {
    const body = fixture(name);
    const res = await deliver(hub.id, body, { "content-type": "application/json", [WABA_SECRET_HEADER]: secret });
    expect(res.status).toBe(200);
    const [row] = await ctx.get().db.select().from(webhookEvents).where(and(eq(webhookEvents.hubId, hub.id), eq(webhookEvents.rawBody, body)));
    return row!;
  };
  const apply = async (name: string) => applyWebhookEvent((await send(name)).id, { db: ctx.get().db });
  const reread = async () => (await findChannelByExternalId({ db: ctx.get().db, hubId: hub.id, externalId: channel.externalId }))!;
  const templateNow = async () => (await ctx.get().db.select().from(templates).where(eq(templates.id, template.id)))[0]!;

  beforeAll(async () => {
    restore = bindAppDatabase(ctx.get());
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        forwarded.push({ body: Buffer.concat(chunks).toString("utf8"), contentType: req.headers["content-type"] });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { db } = ctx.get();
    hub = await createHub(db, { channelWebhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages` });
    secret = await wabaWebhookSecretOf(db, hub);
    const created = await storeWebhook(db, hub.id, {
      id: randomUUID(),
      event: "channel_created",
      data: { id: `ch${randomUUID().slice(0, 8)}`, status: "running", setup_info: { phone_number: "+15550783881" }, waba_account: { id: "d360-waba-1", external_id: WABA } },
    });
    await applyWebhookEvent(created, { db });
    const [row] = await db.select().from(webhookEvents).where(eq(webhookEvents.id, created));
    channel = (await findChannelByExternalId({ db, hubId: hub.id, externalId: row!.channelExternalId! }))!;
    expect(channel.metaWabaId).toBe(WABA);
    template = (await insertTemplate({
      db,
      template: { hubId: hub.id, channelId: channel.id, name: "order_confirmation", language: "en_US", category: "UTILITY", status: "submitted", externalId: TEMPLATE_ID },
    }))!;
  });
  afterAll(async () => {
    restore();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("stores a delivery proven by the hub's secret (header or URL); unknown hubs and wrong secrets get the same 401", async () => {
    const { db } = ctx.get();
    const body = fixture("business_capability_update").replace("2000", "2001");
    const token = wabaPathToken(secret);
    expect((await deliver(hub.id, body, { [WABA_SECRET_HEADER]: `${secret}x` })).status).toBe(401);
    expect((await deliver(hub.id, body, {}, wabaPathToken(`${secret}x`))).status).toBe(401);
    expect((await deliver(hub.id, body, {}, "not-a-token")).status).toBe(401);
    // Every secret given must match: a right URL does not excuse a wrong header.
    expect((await deliver(hub.id, body, { [WABA_SECRET_HEADER]: `${secret}x` }, token)).status).toBe(401);
    expect((await deliver(randomUUID(), body, { [WABA_SECRET_HEADER]: secret })).status).toBe(401);
    expect((await deliver(randomUUID(), body, {}, token)).status).toBe(401);
    expect((await deliver(randomUUID(), body, {})).status).toBe(401);
    expect((await deliver("not-a-hub", body, { [WABA_SECRET_HEADER]: secret })).status).toBe(404);
    expect(await db.select().from(webhookEvents).where(eq(webhookEvents.rawBody, body))).toHaveLength(0);
    // The secret in the URL alone proves it (a hub that drops custom headers, docs/waba-webhook.md §2.1).
    const viaUrl = `${body} `;
    expect((await deliver(hub.id, viaUrl, {}, token)).status).toBe(200);
    expect((await db.select().from(webhookEvents).where(eq(webhookEvents.rawBody, viaUrl)))[0]).toMatchObject({ source: "waba", signatureResult: "hub_secret" });

    expect((await deliver(hub.id, body, { [WABA_SECRET_HEADER]: secret, "content-type": "application/json" })).status).toBe(200);
    expect((await deliver(hub.id, body, { [WABA_SECRET_HEADER]: secret, "content-type": "application/json" })).status).toBe(200);
    const [row] = await db.select().from(webhookEvents).where(eq(webhookEvents.rawBody, body));
    expect(row).toMatchObject({ source: "waba", signatureResult: "hub_secret", event: "business_capability_update", status: "pending", deliveries: 2 });
    expect(row!.headers).toEqual({ "content-type": "application/json" });
    const queued = await db.select().from(jobs).where(eq(jobs.uniqueKey, `webhook:${row!.id}`));
    expect(queued.map((j) => j.kind)).toEqual(["webhook.process"]);

    const notMeta = '{"hello":"world"}';
    expect((await deliver(hub.id, notMeta, { [WABA_SECRET_HEADER]: secret })).status).toBe(200);
    expect((await db.select().from(webhookEvents).where(and(eq(webhookEvents.hubId, hub.id), eq(webhookEvents.rawBody, notMeta))))[0]).toMatchObject({ status: "ignored", event: "invalid" });
  });

  it("template verdicts from the fixtures: approved, rejected with reason, paused and disabled with Meta's words; source webhook", async () => {
    expect(await apply("message_template_status_update.approved")).toMatchObject({ status: "done", effect: expect.stringContaining("order_confirmation approved") });
    expect(await templateNow()).toMatchObject({ status: "approved", rejectedReason: null });
    expect(await apply("message_template_status_update.rejected")).toMatchObject({ status: "done" });
    expect(await templateNow()).toMatchObject({ status: "rejected", rejectedReason: "INVALID_FORMAT" });
    await apply("message_template_status_update.paused");
    expect(await templateNow()).toMatchObject({ status: "paused", rejectedReason: expect.stringContaining("FIRST_PAUSE: Your WhatsApp message template has been paused") });
    await apply("message_template_status_update.disabled");
    expect(await templateNow()).toMatchObject({ status: "disabled", rejectedReason: "Disabled by Meta (2025-04-26)." });
    const history = await ctx.get().db.select().from(templateEvents).where(eq(templateEvents.templateId, template.id));
    expect(history.map((e) => [e.status, e.source])).toEqual([
      ["approved", "webhook"],
      ["rejected", "webhook"],
      ["paused", "webhook"],
      ["disabled", "webhook"],
    ]);
    // The same bytes again are one inbox row; applying it again changes nothing.
    const again = await send("message_template_status_update.disabled");
    expect(again.deliveries).toBe(2);

    // Each line names the delivery it came from. An operator replays the rejection, which arrived before the
    // "disabled" in force: it is older than that status, so it changes nothing and writes no line (lib/templates/sync.ts).
    const { db } = ctx.get();
    const rejection = await send("message_template_status_update.rejected");
    expect(history.find((e) => e.status === "rejected")).toMatchObject({ webhookEventId: rejection.id, replayedAt: null, replayedBy: null });
    const operator = await createUser(db, "operator");
    await replayWebhookEvent({ id: operator.id, email: operator.email }, rejection.id);
    expect(await applyWebhookEvent(rejection.id, { db })).toMatchObject({
      status: "ignored",
      effect: expect.stringMatching(/^template order_confirmation not changed: this delivery is older than its status disabled \(/),
    });
    expect(await templateNow()).toMatchObject({ status: "disabled", rejectedReason: "Disabled by Meta (2025-04-26)." });
    expect(await db.select().from(templateEvents).where(eq(templateEvents.templateId, template.id))).toHaveLength(4);
    // The newest delivery replayed is not older than anything, and is the status already: still no line.
    const disabled = await send("message_template_status_update.disabled");
    await replayWebhookEvent({ id: operator.id, email: operator.email }, disabled.id);
    expect(await applyWebhookEvent(disabled.id, { db })).toMatchObject({ status: "done", effect: expect.stringContaining("unchanged") });
    expect(await db.select().from(templateEvents).where(eq(templateEvents.templateId, template.id))).toHaveLength(4);
  });

  it("a verdict received before the status in force changes nothing, whether processed late or replayed; a newer one applies", async () => {
    const { db } = ctx.get();
    const operator = await createUser(db, "operator");
    // New deliveries (another `time`, so other bytes than the fixtures already stored), received in this order.
    const variant = (name: string, time: number) => {
      const body = JSON.parse(fixture(name)) as { entry: { time: number }[] };
      body.entry[0]!.time = time;
      return JSON.stringify(body);
    };
    const store = async (body: string) => {
      expect((await deliver(hub.id, body, { "content-type": "application/json", [WABA_SECRET_HEADER]: secret })).status).toBe(200);
      return (await db.select().from(webhookEvents).where(and(eq(webhookEvents.hubId, hub.id), eq(webhookEvents.rawBody, body))))[0]!;
    };
    const approved = await store(variant("message_template_status_update.approved", 1_900_000_001));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const rejected = await store(variant("message_template_status_update.rejected", 1_900_000_002));
    const linesBefore = (await db.select().from(templateEvents).where(eq(templateEvents.templateId, template.id))).length;

    // The later one is processed first (the earlier one's job waited, say): it applies.
    expect(await applyWebhookEvent(rejected.id, { db })).toMatchObject({ status: "done", effect: expect.stringContaining("rejected") });
    expect(await templateNow()).toMatchObject({ status: "rejected", rejectedReason: "INVALID_FORMAT" });
    // The earlier one comes after it: older than the status in force, it changes nothing, also when replayed.
    expect(await applyWebhookEvent(approved.id, { db })).toMatchObject({ status: "ignored", effect: expect.stringContaining("not changed: this delivery is older than its status rejected") });
    // The inbox shows why: the delivery is "ignored" with that reason.
    expect((await db.select().from(webhookEvents).where(eq(webhookEvents.id, approved.id)))[0]).toMatchObject({ status: "ignored", lastError: expect.stringContaining("older than its status rejected") });
    await replayWebhookEvent({ id: operator.id, email: operator.email }, approved.id);
    expect(await applyWebhookEvent(approved.id, { db })).toMatchObject({ effect: expect.stringContaining("older than its status rejected") });
    expect(await templateNow()).toMatchObject({ status: "rejected", rejectedReason: "INVALID_FORMAT" });
    const lines = await db.select().from(templateEvents).where(eq(templateEvents.templateId, template.id)).orderBy(templateEvents.id);
    expect(lines.slice(linesBefore).map((e) => [e.status, e.webhookEventId])).toEqual([["rejected", rejected.id]]);

    // A verdict received after it applies, and its replay of the same verdict adds nothing.
    const reinstated = await store(variant("message_template_status_update.approved", 1_900_000_003));
    expect(await applyWebhookEvent(reinstated.id, { db })).toMatchObject({ effect: expect.stringContaining("approved") });
    expect(await templateNow()).toMatchObject({ status: "approved", rejectedReason: null });
    await replayWebhookEvent({ id: operator.id, email: operator.email }, reinstated.id);
    expect(await applyWebhookEvent(reinstated.id, { db })).toMatchObject({ effect: expect.stringContaining("unchanged") });
    const after = await db.select().from(templateEvents).where(eq(templateEvents.templateId, template.id)).orderBy(templateEvents.id);
    expect(after.slice(linesBefore).map((e) => [e.status, e.webhookEventId])).toEqual([
      ["rejected", rejected.id],
      ["approved", reinstated.id],
    ]);

    // A sync read a list that lagged behind (still "pending"): a sync's status does not count as newer, so the
    // operator's replay of the approval applies again, and its line carries the replay's mark (docs/exports.md §6).
    const beforeSync = await templateNow();
    await db.transaction((tx) => applyObservation(tx, beforeSync, { status: "PENDING" }, "sync"));
    expect(await templateNow()).toMatchObject({ status: "pending" });
    await replayWebhookEvent({ id: operator.id, email: operator.email }, reinstated.id);
    expect(await applyWebhookEvent(reinstated.id, { db })).toMatchObject({ status: "done", effect: expect.stringContaining("approved") });
    expect(await templateNow()).toMatchObject({ status: "approved" });
    const last = (await db.select().from(templateEvents).where(eq(templateEvents.templateId, template.id)).orderBy(templateEvents.id)).at(-1)!;
    expect(last).toMatchObject({ status: "approved", source: "webhook", webhookEventId: reinstated.id, replayedBy: operator.email });
    expect(last.replayedAt).toBeInstanceOf(Date);
  });

  it("category and quality updates land on the template; an announced category change changes nothing yet", async () => {
    expect(await apply("template_category_update.impending")).toMatchObject({ status: "done", effect: expect.stringContaining("will change its category to MARKETING on 2025-04-30") });
    expect(await templateNow()).toMatchObject({ category: "UTILITY", categoryChanged: false });
    await apply("template_category_update");
    expect(await templateNow()).toMatchObject({ category: "MARKETING", categoryChanged: true });
    expect(await apply("message_template_quality_update")).toMatchObject({ status: "done", effect: "template order_confirmation quality GREEN → YELLOW" });
    expect((await templateNow()).qualityScore).toBe("YELLOW");
  });

  it("number events: quality and limit, display-name decision, restriction, ban, alert, capability", async () => {
    await apply("phone_number_quality_update");
    expect((await reread()).flags).toMatchObject({ quality: { event: "UPGRADE", currentLimit: "TIER_10K", oldLimit: "TIER_1K" } });
    await apply("phone_number_name_update");
    expect((await reread()).flags).toMatchObject({ display_name: { decision: "REJECTED", requestedName: "Lucky Shrub", rejectionReason: "NAME_FORMAT_UNACCEPTABLE" } });
    await apply("account_update.restriction");
    const restricted = await reread();
    // The shape lib/channels/restriction-words.ts reads, as the partner event writes it; restricted_at feeds "Needs attention".
    expect(restricted).toMatchObject({ restricted: true, flags: { account_restriction: { type: null, restrictionType: "RESTRICTED_BIZ_INITIATED_MESSAGING, RESTRICTED_ADD_PHONE_NUMBER_ACTION" } } });
    expect(restricted.restrictedAt).toBeInstanceOf(Date);
    await apply("account_update.ban");
    expect((await reread()).flags).toMatchObject({ ban: { state: "DISABLE", date: "2026-05-02" } });
    await apply("account_alerts");
    expect((await reread()).flags).toMatchObject({ alert: { severity: "WARNING", type: "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED" } });
    await apply("business_capability_update");
    expect((await reread()).flags).toMatchObject({ capability: { maxDailyConversations: "2000" } });
    const history = await ctx.get().db.select().from(channelEvents).where(eq(channelEvents.channelId, channel.id));
    expect(history.filter((h) => h.source === "waba_webhook").map((h) => h.event)).toEqual(
      expect.arrayContaining(["phone_number_quality_update", "phone_number_name_update", "account_update", "account_alerts", "business_capability_update"]),
    );
  });

  it("an event of a WABA the portal does not know is ignored, with the reason", async () => {
    const body = fixture("phone_number_quality_update").replace(WABA, "999");
    await deliver(hub.id, body, { [WABA_SECRET_HEADER]: secret });
    const [row] = await ctx.get().db.select().from(webhookEvents).where(eq(webhookEvents.rawBody, body));
    expect(await applyWebhookEvent(row!.id, { db: ctx.get().db })).toMatchObject({ status: "ignored", effect: expect.stringContaining("does not know (999)") });
  });

  it("message traffic is forwarded byte for byte with its content type, retried on failure, and replayable", async () => {
    const { db } = ctx.get();
    forwarded = [];
    const row = await send("messages.inbound");
    expect(await applyWebhookEvent(row.id, { db })).toMatchObject({ status: "done", effect: expect.stringContaining("1 message(s): forwarding to http://127.0.0.1") });
    const [job] = await db.select().from(jobs).where(and(eq(jobs.kind, "webhook.forward"), eq(jobs.uniqueKey, `webhook.forward:${row.id}:0`)));
    expect(job).toMatchObject({ status: "queued", payload: { webhookEventId: row.id }, maxAttempts: 20 });

    answer = 500;
    await expect(forwardDelivery(row.id, { db })).rejects.toThrow("the messaging URL answered HTTP 500");
    expect((await db.select().from(webhookEvents).where(eq(webhookEvents.id, row.id)))[0]).toMatchObject({ status: "failed", lastError: "forwarding failed: the messaging URL answered HTTP 500" });
    answer = 200;
    expect(await forwardDelivery(row.id, { db })).toBe("forwarded");
    expect(forwarded.map((f) => f.body)).toEqual([fixture("messages.inbound"), fixture("messages.inbound")]);
    expect(forwarded.every((f) => f.contentType === "application/json")).toBe(true);
    expect((await db.select().from(webhookEvents).where(eq(webhookEvents.id, row.id)))[0]).toMatchObject({ status: "done", lastError: null });

    // An operator's replay runs it through processing again, which forwards it again.
    const admin = await createUser(db, "operator");
    await replayWebhookEvent({ id: admin.id, email: admin.email }, row.id);
    const attempts = (await db.select().from(webhookEvents).where(eq(webhookEvents.id, row.id)))[0]!.attempts;
    await applyWebhookEvent(row.id, { db });
    expect(await db.select().from(jobs).where(eq(jobs.uniqueKey, `webhook.forward:${row.id}:${attempts}`))).toHaveLength(1);
  });

  it("keeps where the number's WABA webhook stands: set to the portal with the secret header, or failed with the hub's answer", async () => {
    const { db } = ctx.get();
    await claimApiKeyGrant({ db, hubId: hub.id, channelId: channel.id, grantId: "initial" });
    const claim = (await findApiKeyForGrant({ db, channelId: channel.id, grantId: "initial" }))!;
    await activateApiKey({ db, id: claim.id, key: { keyVersion: 1, keyEnc: sealSecret("the-key", keyAad(channel.id, 1)), last4: "-key", fingerprint: "f", address: "http://127.0.0.1:9", externalId: null } });
    const calls: { url: string; headers?: Record<string, string> }[] = [];
    const fake = (fail: boolean) => () =>
      ({
        setWabaWebhook: async (input: { url: string; headers?: Record<string, string> }) => {
          calls.push(input);
          if (fail) throw new HubError({ code: "http", status: 400, method: "POST", path: "/waba_webhook", attempts: 1, developerMessage: "Invalid webhook URL" });
          return input;
        },
      }) as unknown as MessagingApi;
    await expect(setChannelWabaWebhook(channel.id, { db, messagingApi: fake(true) })).rejects.toThrow();
    expect(await reread()).toMatchObject({ wabaWebhookState: "failed", wabaWebhookDetail: "360dialog answered HTTP 400: Invalid webhook URL" });
    expect(await setChannelWabaWebhook(channel.id, { db, messagingApi: fake(false) })).toEqual({ outcome: "set" });
    // By default the secret rides in the URL too; the channel keeps the URL with a placeholder, never the secret.
    const url = wabaWebhookUrlFor(hub);
    expect(url).toMatch(new RegExp(`/api/webhooks/waba/${hub.id}/\\{secret\\}$`));
    expect(await reread()).toMatchObject({ wabaWebhookState: "set", wabaWebhookDetail: url });
    expect(calls.at(-1)).toEqual({ url: url.replace("{secret}", wabaPathToken(secret)), headers: { [WABA_SECRET_HEADER]: secret } });
    // Header only (the hub's setting): the plain URL; reconcile sees the stored one differ and sets it again.
    const headerOnly = { ...hub, settings: { ...hub.settings, wabaWebhook: { secretIn: "header" } } };
    await db.update(hubs).set({ settings: headerOnly.settings }).where(eq(hubs.id, hub.id));
    expect(await listChannelsNeedingWabaWebhook({ db, hubId: hub.id, url: wabaWebhookUrlFor(headerOnly) })).toEqual([channel.id]);
    expect(await setChannelWabaWebhook(channel.id, { db, messagingApi: fake(false) })).toEqual({ outcome: "set" });
    expect(calls.at(-1)).toEqual({ url: wabaWebhookUrlFor(headerOnly), headers: { [WABA_SECRET_HEADER]: secret } });
    expect(wabaWebhookUrlFor(headerOnly)).toMatch(new RegExp(`/api/webhooks/waba/${hub.id}$`));
    await db.update(hubs).set({ settings: hub.settings }).where(eq(hubs.id, hub.id));
  });

  it("a rotated secret is required from then on, the previous one is accepted for 7 days, and every keyed number is set again", async () => {
    const { db } = ctx.get();
    const admin = await createUser(db, "admin");
    const before = secret;
    const { queued } = await rotateWabaWebhookSecret({ id: admin.id, email: admin.email }, hub.id, { db });
    expect(queued).toBe(1);
    const [rotatedHub] = await db.select().from(hubs).where(eq(hubs.id, hub.id));
    const after = await wabaWebhookSecretOf(db, rotatedHub!);
    expect(after).not.toBe(before);
    expect(rotatedHub!.previousWabaWebhookSecretExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3_600_000);
    const queuedJobs = await db.select().from(jobs).where(and(eq(jobs.kind, "channel.waba_webhook")));
    expect(queuedJobs.filter((j) => (j.payload as { reason?: string }).reason === "secret").map((j) => (j.payload as { channelId: string }).channelId)).toEqual([channel.id]);

    const body = fixture("account_alerts").replace("WARNING", "CRITICAL");
    expect((await deliver(hub.id, body, { [WABA_SECRET_HEADER]: after })).status).toBe(200);
    expect((await deliver(hub.id, `${body} `, { [WABA_SECRET_HEADER]: before })).status).toBe(200);
    // Once the overlap is over, the old one is refused.
    await db.update(hubs).set({ previousWabaWebhookSecretExpiresAt: new Date(Date.now() - 1_000) }).where(eq(hubs.id, hub.id));
    forgetCachedHubs();
    expect((await deliver(hub.id, `${body}  `, { [WABA_SECRET_HEADER]: before })).status).toBe(401);
    expect((await deliver(hub.id, `${body}  `, { [WABA_SECRET_HEADER]: after })).status).toBe(200);
  });
});
