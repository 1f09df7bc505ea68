import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { findChannelById } from "@/db/queries/channel-store";
import { findTemplateByKey } from "@/db/queries/templates";
import { hubs, jobs as jobsTable } from "@/db/schema";
import { setChannelWabaWebhook } from "../channels/waba-webhook";
import { setTestEnvironment, waitFor } from "@/test/support/channels";
import { forEachDatabase } from "@/test/db/databases";
import { toComponents } from "./components";
import { saveOrSubmitTemplate } from "./submit";
import { requestTemplateSync } from "./sync-now";
import {
  cleanDraft,
  drainJobs,
  drainJobsNow,
  eventsOf,
  onboardKeyedChannel,
  outsideMessagingApi,
  syncJobsFor,
  templateRow,
  uniqueName,
  webhookRowsOf,
  type Delivery,
  sandboxForFile,
  templateWorldForSuite,
} from "@/test/support/templates";

setTestEnvironment();

const sandbox = sandboxForFile();

// Template verdicts come as Meta's message_template_status_update through the WABA webhook the portal set after
// the key was made (docs/waba-webhook.md); the sandbox sends no partner event for them.
const STATUS_EVENT = "message_template_status_update";

type MetaBody = { entry: { changes: { value: { message_template_id?: number; event?: string } }[] }[] };
const valueOf = (raw: string) => (JSON.parse(raw) as MetaBody).entry[0]!.changes[0]!.value;

forEachDatabase("template webhooks through the real receivers", (ctx) => {
  const suite = templateWorldForSuite(ctx, sandbox);

  const submitted = async (name: string) => {
    const outcome = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, action: "submit", draft: cleanDraft(name) }, { db: ctx.get().db });
    return templateRow(ctx.get().db, outcome.templateId);
  };
  /** Sets a status at the sandbox and waits until its WABA webhook delivery was stored by the WABA receiver. */
  const statusAtHub = async (externalId: string, status: string, rejectedReason?: string): Promise<Delivery> => {
    await sandbox.sb.control(`/templates/${externalId}/status`, { status, ...(rejectedReason ? { rejectedReason } : {}) });
    return waitFor(
      () =>
        sandbox.sb.deliveries.find(
          (d) => d.wabaHubId && d.event === STATUS_EVENT && d.status === 200 && String(valueOf(d.raw).message_template_id) === externalId && valueOf(d.raw).event === status.toUpperCase(),
        ),
      `${STATUS_EVENT} ${status} for ${externalId}`,
    );
  };

  it("the portal set the number's WABA webhook to itself with the hub's secret in the URL and as a header, after the key was made", async () => {
    const { db } = ctx.get();
    const channel = await findChannelById({ db, id: suite.number.channel.id });
    // The channel keeps the URL as shown, the secret's segment a placeholder (docs/waba-webhook.md §2.1).
    expect(channel).toMatchObject({ wabaWebhookState: "set", wabaWebhookDetail: expect.stringMatching(new RegExp(`/api/webhooks/waba/${suite.world.hub.id}/\\{secret\\}$`)) });
    const hook = await outsideMessagingApi(sandbox.sb, suite.number.apiKey).getWabaWebhook();
    expect(hook.url).toBe(channel!.wabaWebhookDetail!.replace("{secret}", hook.url!.split("/").pop()!));
    expect(hook.url).toMatch(new RegExp(`/api/webhooks/waba/${suite.world.hub.id}/[0-9a-f]{64}$`));
    expect(Object.keys(hook.headers ?? {})).toEqual(["x-portal-waba-secret"]);
  });

  it("approval and rejection webhooks are applied with source webhook; a duplicate or a re-sent copy adds nothing", async () => {
    const { db } = ctx.get();
    const good = await submitted(uniqueName("hook_ok"));
    const bad = await submitted(uniqueName("hook_bad"));
    const approval = await statusAtHub(good.externalId!, "approved");
    await statusAtHub(bad.externalId!, "rejected", "TAG_CONTENT_MISMATCH");
    await drainJobs(db);

    expect(await templateRow(db, good.id)).toMatchObject({ status: "approved", rejectedReason: null });
    expect((await eventsOf(db, good.id)).at(-1)).toMatchObject({ status: "approved", source: "webhook" });
    expect(await templateRow(db, bad.id)).toMatchObject({ status: "rejected", rejectedReason: "TAG_CONTENT_MISMATCH" });
    expect((await eventsOf(db, bad.id)).at(-1)).toMatchObject({ status: "rejected", reason: "TAG_CONTENT_MISMATCH", source: "webhook" });
    const rows = await webhookRowsOf(db, suite.world.hub.id, STATUS_EVENT);
    expect(rows.map((r) => r.status)).toEqual(["done", "done"]);
    const eventCount = (await eventsOf(db, good.id)).length;

    // The same bytes again (360dialog retrying): acknowledged, deduplicated, nothing new.
    expect(await sandbox.sb.redeliver(approval)).toBe(200);
    expect(await webhookRowsOf(db, suite.world.hub.id, STATUS_EVENT)).toHaveLength(2);
    expect((await webhookRowsOf(db, suite.world.hub.id, STATUS_EVENT)).find((r) => r.rawBody === approval.raw)?.deliveries).toBe(2);
    // The same news in other bytes (Meta sending it again later) escapes the inbox dedup; the template effect is still once.
    const copy = JSON.stringify({ ...(JSON.parse(approval.raw) as Record<string, unknown>), resent: randomUUID() });
    expect(await sandbox.sb.redeliver({ ...approval, raw: copy })).toBe(200);
    // The secret travels in the URL and as a header (docs/waba-webhook.md §2.1): either proves it; a wrong one is refused.
    const { "x-portal-waba-secret": _secret, ...unproven } = approval.headers;
    expect(approval.wabaPathToken).toMatch(/^[0-9a-f]{64}$/);
    expect(await sandbox.sb.redeliver({ ...approval, raw: `${copy} `, headers: unproven })).toBe(200);
    expect(await sandbox.sb.redeliver({ ...approval, raw: `${copy}  `, headers: { ...unproven, "x-portal-waba-secret": "guess" } })).toBe(401);
    expect(await sandbox.sb.redeliver({ ...approval, raw: `${copy}  `, wabaPathToken: "0".repeat(64) })).toBe(401);
    expect(await sandbox.sb.redeliver({ ...approval, raw: `${copy}  `, wabaPathToken: "not-a-token" })).toBe(401);
    // Neither (stored unverified, confirmed through 360dialog's own list): the last test of this file.
    await drainJobs(db);
    const stored = await webhookRowsOf(db, suite.world.hub.id, STATUS_EVENT);
    expect(stored).toHaveLength(4);
    expect(stored.find((r) => r.rawBody === `${copy} `)).toMatchObject({ signatureResult: "hub_secret", status: "done" });
    expect((await eventsOf(db, good.id)).length).toBe(eventCount);
    expect((await templateRow(db, good.id)).status).toBe("approved");
  });

  it("a status for a template the portal does not hold yet queues a sync of its number, which brings it in", async () => {
    const { db } = ctx.get();
    const name = uniqueName("hub_made");
    const created = await outsideMessagingApi(sandbox.sb, suite.number.apiKey).createTemplate({ name, language: "en", category: "UTILITY", components: toComponents(cleanDraft(name)) });
    const before = (await syncJobsFor(db, suite.number.channel.id)).length;
    const delivery = await statusAtHub(created.id!, "approved");
    const row = (await webhookRowsOf(db, suite.world.hub.id, STATUS_EVENT)).find((r) => r.rawBody === delivery.raw)!;
    expect(row).toMatchObject({ source: "waba", signatureResult: "hub_secret" });

    await drainJobs(db);
    const jobs = await syncJobsFor(db, suite.number.channel.id);
    expect(jobs.length).toBe(before + 1);
    expect(jobs.at(-1)).toMatchObject({ status: "done", payload: { channelId: suite.number.channel.id, reason: "webhook" } });
    const local = await findTemplateByKey({ db, channelId: suite.number.channel.id, name, language: "en" });
    expect(local).toMatchObject({ status: "approved", externalId: created.id });
    expect((await eventsOf(db, local!.id)).map((e) => [e.status, e.source])).toEqual([["approved", "sync"]]);
  });

  it("a status for an unknown template right after a sync of its number ran (same 10 s window) still brings it in", async () => {
    const { db } = ctx.get();
    const own = await onboardKeyedChannel(db, sandbox.sb, suite.world);
    // Start early in a window, so the finished sync and the webhook's request fall into the same one.
    const left = 10_000 - (Date.now() % 10_000);
    if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
    await requestTemplateSync(suite.world.actor, { channelId: own.channel.id });
    await drainJobs(db);
    expect((await syncJobsFor(db, own.channel.id)).map((j) => j.status)).toEqual(["done"]);

    const name = uniqueName("just_after");
    const created = await outsideMessagingApi(sandbox.sb, own.apiKey).createTemplate({ name, language: "en", category: "UTILITY", components: toComponents(cleanDraft(name)) });
    await statusAtHub(created.id!, "approved");
    await drainJobs(db);
    const queued = (await syncJobsFor(db, own.channel.id)).at(-1)!;
    expect(queued.payload).toMatchObject({ reason: "webhook" });
    // It waits for the next window (a job of this window already ran); run it as its time came.
    await db.update(jobsTable).set({ runAt: new Date(Date.now() - 1_000) }).where(eq(jobsTable.id, queued.id));
    await drainJobs(db);
    expect(await findTemplateByKey({ db, channelId: own.channel.id, name, language: "en" })).toMatchObject({ status: "approved", externalId: created.id });
  });

  it("template_messaging_disabled and _enabled flag the number", async () => {
    const { db } = ctx.get();
    const sent = sandbox.sb.deliveries.length;
    await sandbox.sb.control("/events", { partnerId: suite.world.partnerId, event: "template_messaging_disabled", channelId: suite.number.externalId });
    await waitFor(() => sandbox.sb.deliveries.slice(sent).find((d) => d.event === "template_messaging_disabled" && d.status === 200), "template_messaging_disabled");
    await drainJobs(db);
    const disabled = await findChannelById({ db, id: suite.number.channel.id });
    expect(disabled?.flags).toMatchObject({ template_messaging: { enabled: false } });

    await sandbox.sb.control("/events", { partnerId: suite.world.partnerId, event: "template_messaging_enabled", channelId: suite.number.externalId });
    await waitFor(() => sandbox.sb.deliveries.slice(sent).find((d) => d.event === "template_messaging_enabled" && d.status === 200), "template_messaging_enabled");
    await drainJobs(db);
    expect((await findChannelById({ db, id: suite.number.channel.id }))?.flags).toMatchObject({ template_messaging: { enabled: true } });
  });

  it("a hub that drops the custom header still delivers: the secret in the URL proves it (sandbox dropCustomHeaders)", async () => {
    const { db } = ctx.get();
    await sandbox.sb.control("/faults", { dropCustomHeaders: true });
    try {
      const good = await submitted(uniqueName("no_header"));
      const delivery = await statusAtHub(good.externalId!, "approved");
      expect(delivery.headers["x-portal-waba-secret"]).toBeUndefined();
      expect(delivery.wabaPathToken).toMatch(/^[0-9a-f]{64}$/);
      await drainJobs(db);
      const row = (await webhookRowsOf(db, suite.world.hub.id, STATUS_EVENT)).find((r) => r.rawBody === delivery.raw);
      expect(row).toMatchObject({ signatureResult: "hub_secret", status: "done" });
      expect((await eventsOf(db, good.id)).at(-1)).toMatchObject({ status: "approved", source: "webhook" });
    } finally {
      await sandbox.sb.control("/faults", {});
    }
  });

  it("header only and the header dropped: stored unverified, and the verdict comes from 360dialog's own list (a sync), never from the body", async () => {
    const { db } = ctx.get();
    const hub = (await db.select().from(hubs).where(eq(hubs.id, suite.world.hub.id)))[0]!;
    await db.update(hubs).set({ settings: { ...hub.settings, wabaWebhook: { secretIn: "header" } } }).where(eq(hubs.id, hub.id));
    expect(await setChannelWabaWebhook(suite.number.channel.id, { db })).toEqual({ outcome: "set" });
    expect((await outsideMessagingApi(sandbox.sb, suite.number.apiKey).getWabaWebhook()).url).toMatch(new RegExp(`/api/webhooks/waba/${hub.id}$`));
    await sandbox.sb.control("/faults", { dropCustomHeaders: true });
    try {
      const bad = await submitted(uniqueName("unproven"));
      const delivery = await statusAtHub(bad.externalId!, "rejected", "TAG_CONTENT_MISMATCH");
      expect(delivery.wabaPathToken).toBeUndefined();
      expect(delivery.headers["x-portal-waba-secret"]).toBeUndefined();
      const stored = (await webhookRowsOf(db, suite.world.hub.id, STATUS_EVENT)).find((r) => r.rawBody === delivery.raw)!;
      expect(stored).toMatchObject({ source: "waba", signatureResult: "unsigned", status: "pending" });
      await drainJobsNow(db);
      const row = (await webhookRowsOf(db, suite.world.hub.id, STATUS_EVENT)).find((r) => r.rawBody === delivery.raw)!;
      expect(row).toMatchObject({ status: "done", confirmation: expect.stringContaining("template sync") });
      // The rejection is believed only as the sync read it from 360dialog.
      expect(await templateRow(db, bad.id)).toMatchObject({ status: "rejected" });
      expect((await eventsOf(db, bad.id)).at(-1)).toMatchObject({ status: "rejected", source: "sync" });
    } finally {
      await sandbox.sb.control("/faults", {});
      await db.update(hubs).set({ settings: hub.settings }).where(eq(hubs.id, hub.id));
      await setChannelWabaWebhook(suite.number.channel.id, { db });
    }
  });
});
