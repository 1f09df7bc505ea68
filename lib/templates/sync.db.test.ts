import { and, eq, ne } from "drizzle-orm";
import { expect, it } from "vitest";
import { findTemplateByKey } from "@/db/queries/templates";
import { jobs } from "@/db/schema";
import { setTestEnvironment } from "@/test/support/channels";
import { forEachDatabase } from "@/test/db/databases";
import { toComponents } from "./components";
import { saveOrSubmitTemplate } from "./submit";
import { applyObservation, queueHubTemplateSync, syncChannelTemplates } from "./sync";
import { enqueueChannelSync, enqueueScheduledTemplateSyncs } from "./sync-jobs";
import { requestTemplateSync } from "./sync-now";
import {
  auditsOf,
  cleanDraft,
  createTemplateWorld,
  drainJobs,
  drainJobsNow,
  eventsOf,
  onboardKeyedChannel,
  outsideMessagingApi,
  syncJobsFor,
  templateRow,
  uniqueName,
  sandboxForFile,
  templateWorldForSuite,
} from "@/test/support/templates";

setTestEnvironment();

const sandbox = sandboxForFile();

forEachDatabase("template status sync against the sandbox hub", (ctx) => {
  const suite = templateWorldForSuite(ctx, sandbox);

  const submit = async (name: string, overrides = {}) => {
    const outcome = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, action: "submit", draft: cleanDraft(name, overrides) }, { db: ctx.get().db });
    if (outcome.kind !== "submitted") throw new Error(`submit ${name}: ${outcome.kind}`);
    return templateRow(ctx.get().db, outcome.templateId);
  };
  const allEvents = async (ids: string[]) => (await Promise.all(ids.map((id) => eventsOf(ctx.get().db, id)))).flat();

  it("approvals and rejections made at 360dialog arrive by sync, once; templates made elsewhere appear; deleted ones are marked", async () => {
    const { db } = ctx.get();
    const approved = await submit(uniqueName("approve_me"));
    const rejected = await submit(uniqueName("reject_me"));
    await sandbox.sb.control(`/templates/${approved.externalId}/status`, { status: "approved" });
    await sandbox.sb.control(`/templates/${rejected.externalId}/status`, { status: "rejected", rejectedReason: "TAG_CONTENT_MISMATCH" });

    const first = await syncChannelTemplates(suite.number.channel.id, { db });
    expect(first).toMatchObject({ changed: 2, created: 0, missing: 0 });
    expect(await templateRow(db, approved.id)).toMatchObject({ status: "approved", rejectedReason: null });
    expect(await templateRow(db, rejected.id)).toMatchObject({ status: "rejected", rejectedReason: "TAG_CONTENT_MISMATCH" });
    expect((await templateRow(db, approved.id)).lastSyncedAt).toBeInstanceOf(Date);
    expect((await eventsOf(db, approved.id)).at(-1)).toMatchObject({ status: "approved", reason: null, category: null, source: "sync" });
    expect((await eventsOf(db, rejected.id)).at(-1)).toMatchObject({ status: "rejected", reason: "TAG_CONTENT_MISMATCH", source: "sync" });

    const before = (await allEvents([approved.id, rejected.id])).length;
    expect(await syncChannelTemplates(suite.number.channel.id, { db })).toMatchObject({ changed: 0, created: 0, missing: 0 });
    expect((await allEvents([approved.id, rejected.id])).length).toBe(before);

    // Written elsewhere (the Hub): kept like any other, with the sandbox's status and id.
    const outside = uniqueName("from_hub");
    const created = await outsideMessagingApi(sandbox.sb, suite.number.apiKey).createTemplate({ name: outside, language: "en", category: "MARKETING", components: toComponents(cleanDraft(outside)) });
    const withOutside = await syncChannelTemplates(suite.number.channel.id, { db });
    expect(withOutside).toMatchObject({ created: 1, changed: 0, missing: 0 });
    const local = await findTemplateByKey({ db, channelId: suite.number.channel.id, name: outside, language: "en" });
    expect(local).toMatchObject({ status: "submitted", category: "MARKETING", externalId: created.id, requestedCategory: null, categoryChanged: false, hubId: suite.world.hub.id });
    expect((await eventsOf(db, local!.id)).map((e) => [e.status, e.category, e.source])).toEqual([["submitted", "MARKETING", "sync"]]);

    // Deleted in the Hub: marked deleted, once.
    await outsideMessagingApi(sandbox.sb, suite.number.apiKey).deleteTemplate(approved.name);
    expect(await syncChannelTemplates(suite.number.channel.id, { db })).toMatchObject({ missing: 1, changed: 0, created: 0 });
    expect((await templateRow(db, approved.id)).status).toBe("deleted");
    expect((await eventsOf(db, approved.id)).at(-1)).toMatchObject({ status: "deleted", source: "sync" });
    const settled = (await allEvents([approved.id, rejected.id, local!.id])).length;
    expect(await syncChannelTemplates(suite.number.channel.id, { db })).toMatchObject({ missing: 0, changed: 0, created: 0 });
    expect((await allEvents([approved.id, rejected.id, local!.id])).length).toBe(settled);
  });

  it("a category changed by Meta is flagged with an event; the same observation twice adds nothing", async () => {
    const { db } = ctx.get();
    const t = await submit(uniqueName("recategorised"), { allowCategoryChange: true });
    // The control API cannot re-categorise; the in-process sandbox's record is changed as Meta would.
    const record = sandbox.sb.sandbox.state.templates.get(t.externalId!);
    if (!record) throw new Error("template missing at the sandbox");
    record.category = "MARKETING";
    record.status = "approved";

    await syncChannelTemplates(suite.number.channel.id, { db });
    expect(await templateRow(db, t.id)).toMatchObject({ status: "approved", category: "MARKETING", requestedCategory: "UTILITY", categoryChanged: true });
    expect((await eventsOf(db, t.id)).at(-1)).toMatchObject({ status: "approved", category: "MARKETING", source: "sync" });
    const count = (await eventsOf(db, t.id)).length;
    await syncChannelTemplates(suite.number.channel.id, { db });
    expect((await eventsOf(db, t.id)).length).toBe(count);
  });

  it("applyObservation: a category change alone is its own event; going back to the asked category clears the flag", async () => {
    const { db } = ctx.get();
    const t = await submit(uniqueName("observed"));
    const apply = async (seen: Parameters<typeof applyObservation>[2]) => {
      const current = await templateRow(db, t.id);
      return (await db.transaction((tx) => applyObservation(tx, current, seen, "webhook"))).changed;
    };

    expect(await apply({ status: "SUBMITTED", category: "marketing" })).toBe(true);
    expect(await templateRow(db, t.id)).toMatchObject({ status: "submitted", category: "MARKETING", categoryChanged: true });
    expect((await eventsOf(db, t.id)).at(-1)).toMatchObject({ status: null, reason: null, category: "MARKETING", source: "webhook" });
    expect(await apply({ status: "submitted", category: "MARKETING" })).toBe(false);

    expect(await apply({ status: "REJECTED", reason: "INCORRECT_CATEGORY" })).toBe(true);
    expect(await templateRow(db, t.id)).toMatchObject({ status: "rejected", rejectedReason: "INCORRECT_CATEGORY", category: "MARKETING", categoryChanged: true });
    expect(await apply({ status: "APPROVED", reason: "NONE", category: "UTILITY" })).toBe(true);
    expect(await templateRow(db, t.id)).toMatchObject({ status: "approved", rejectedReason: null, category: "UTILITY", categoryChanged: false });
    expect((await eventsOf(db, t.id)).at(-1)).toMatchObject({ status: "approved", reason: null, category: "UTILITY", source: "webhook" });
  });

  it("the schedule queues one hub sync per hub and interval window; interval 0 queues none", async () => {
    const { db } = ctx.get();
    const every5 = await createTemplateWorld(db, sandbox.sb, { settings: { templates: { syncIntervalMinutes: 5 } } });
    const off = await createTemplateWorld(db, sandbox.sb, { settings: { templates: { syncIntervalMinutes: 0 } } });
    const hubJobs = async (hubId: string) =>
      (await db.select().from(jobs).where(eq(jobs.kind, "hub.template_sync"))).filter((j) => (j.payload as { hubId: string }).hubId === hubId);

    const now = new Date(Date.UTC(2031, 0, 1, 10, 1, 0));
    expect(await enqueueScheduledTemplateSyncs({ db, now })).toBeGreaterThanOrEqual(1);
    expect(await enqueueScheduledTemplateSyncs({ db, now: new Date(now.getTime() + 60_000) })).toBe(0);
    expect((await hubJobs(every5.hub.id)).map((j) => j.payload)).toEqual([{ hubId: every5.hub.id, scope: "awaiting" }]);
    expect(await hubJobs(off.hub.id)).toEqual([]);
    // The next 5-minute window: one more for the 5-minute hub, still none for the hub with the schedule off.
    await enqueueScheduledTemplateSyncs({ db, now: new Date(Date.UTC(2031, 0, 1, 10, 5, 0)) });
    expect(await hubJobs(every5.hub.id)).toHaveLength(2);
    expect(await hubJobs(off.hub.id)).toEqual([]);
    await db.delete(jobs).where(eq(jobs.kind, "hub.template_sync"));
  });

  it("a sync asked for after this window's sync already started is queued for the next window, not dropped", async () => {
    const { db } = ctx.get();
    const now = new Date(Date.UTC(2031, 0, 1, 10, 0, 3));
    const first = await enqueueChannelSync(db, { channelId: suite.number.channel.id, reason: "manual" }, now);
    expect(first.created).toBe(true);
    // A double click while it waits: the same job.
    expect(await enqueueChannelSync(db, { channelId: suite.number.channel.id, reason: "manual" }, now)).toEqual({ id: first.id, created: false });

    for (const status of ["running", "done"] as const) {
      await db.delete(jobs).where(and(eq(jobs.kind, "template.sync"), ne(jobs.id, first.id)));
      await db.update(jobs).set({ status }).where(eq(jobs.id, first.id));
      const later = await enqueueChannelSync(db, { channelId: suite.number.channel.id, reason: "webhook" }, now);
      expect(later.created).toBe(true);
      const row = (await db.select().from(jobs).where(eq(jobs.id, later.id)))[0]!;
      expect(row).toMatchObject({ status: "queued", uniqueKey: `template.sync:${suite.number.channel.id}:2031-01-01T10:00:10.000Z` });
      expect(row.runAt.toISOString()).toBe("2031-01-01T10:00:10.000Z");
      expect(await enqueueChannelSync(db, { channelId: suite.number.channel.id }, now)).toEqual({ id: later.id, created: false });
    }
    await db.delete(jobs).where(eq(jobs.kind, "template.sync"));
  });

  it("queueHubTemplateSync: 'awaiting' takes the numbers with templates in review, 'all' every number with a key; the jobs then sync", async () => {
    const { db } = ctx.get();
    const own = await createTemplateWorld(db, sandbox.sb);
    const [waiting, settledNumber, empty] = [await onboardKeyedChannel(db, sandbox.sb, own), await onboardKeyedChannel(db, sandbox.sb, own), await onboardKeyedChannel(db, sandbox.sb, own)];
    const inReview = await saveOrSubmitTemplate(own.actor, { channelId: waiting.channel.id, action: "submit", draft: cleanDraft(uniqueName("in_review")) }, { db });
    const done = await saveOrSubmitTemplate(own.actor, { channelId: settledNumber.channel.id, action: "submit", draft: cleanDraft(uniqueName("done")) }, { db });
    const doneRow = await templateRow(db, done.templateId);
    await sandbox.sb.control(`/templates/${doneRow.externalId}/status`, { status: "approved" });
    await syncChannelTemplates(settledNumber.channel.id, { db });
    expect((await templateRow(db, done.templateId)).status).toBe("approved");

    expect(await queueHubTemplateSync({ hubId: own.hub.id, scope: "awaiting" }, { db })).toBe(1);
    expect((await syncJobsFor(db, waiting.channel.id)).map((j) => j.payload)).toEqual([{ channelId: waiting.channel.id, reason: "awaiting" }]);
    expect(await syncJobsFor(db, settledNumber.channel.id)).toEqual([]);
    expect(await syncJobsFor(db, empty.channel.id)).toEqual([]);

    // "All" adds the other two; the number already queued in this window is not queued twice.
    expect(await queueHubTemplateSync({ hubId: own.hub.id, scope: "all" }, { db })).toBe(2);
    for (const n of [waiting, settledNumber, empty]) expect(await syncJobsFor(db, n.channel.id)).toHaveLength(1);

    const remote = (await templateRow(db, inReview.templateId)).externalId!;
    await sandbox.sb.control(`/templates/${remote}/status`, { status: "approved" });
    await drainJobs(db);
    for (const n of [waiting, settledNumber, empty]) expect((await syncJobsFor(db, n.channel.id)).map((j) => j.status)).toEqual(["done"]);
    expect((await templateRow(db, inReview.templateId)).status).toBe("approved");
  });

  it("'Sync now' for one number or for all queues the jobs and records who asked", async () => {
    const { db } = ctx.get();
    const own = await createTemplateWorld(db, sandbox.sb);
    const n = await onboardKeyedChannel(db, sandbox.sb, own);
    expect(await requestTemplateSync(own.actor, { channelId: n.channel.id })).toMatchObject({ queued: 1 });
    expect((await syncJobsFor(db, n.channel.id)).map((j) => j.payload)).toEqual([{ channelId: n.channel.id, requestedBy: own.operator.id, reason: "manual" }]);
    expect((await auditsOf(db, n.channel.id)).map((a) => a.action)).toContain("template.sync_requested");

    await requestTemplateSync(own.actor, { hubId: own.hub.id });
    const hubJobs = (await db.select().from(jobs).where(eq(jobs.kind, "hub.template_sync"))).filter((j) => (j.payload as { hubId: string }).hubId === own.hub.id);
    expect(hubJobs.map((j) => j.payload)).toEqual([{ hubId: own.hub.id, scope: "all", requestedBy: own.operator.id }]);
    // The number's own sync may have run before the hub's fan-out reached it: then one more waits for the next window.
    await drainJobsNow(db);
    const syncs = await syncJobsFor(db, n.channel.id);
    expect(syncs.length).toBeGreaterThanOrEqual(1);
    expect(syncs.length).toBeLessThanOrEqual(2);
    expect(syncs.every((j) => j.status === "done")).toBe(true);
  });
});
