import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { hubs } from "@/db/schema";
import { listRecentlyRejectedTemplates } from "@/db/queries/overview";
import { countTemplatesByStatus, listTemplateLineage, listTemplatesPage } from "@/db/queries/templates";
import { setTestEnvironment } from "@/test/support/channels";
import type { FetchLike } from "@/lib/hub/http";
import { createMessagingApi } from "@/lib/hub/messaging-api";
import { forEachDatabase } from "@/test/db/databases";
import { fromComponents, toComponents } from "./components";
import type { TemplateDraft } from "./draft";
import { EDITABLE_STATUSES, proposeTemplateName, saveOrSubmitTemplate, type TemplateDeps } from "./submit";
import { syncChannelTemplates } from "./sync";
import { auditsOf, cleanDraft, eventsOf, outsideMessagingApi, templateRow, uniqueName, sandboxForFile, templateWorldForSuite } from "@/test/support/templates";

// docs/templates-meta.md §2: a rejected or paused template is edited in place under its id; where that is not
// possible it is resubmitted under a new name the portal proposes, as a successor linked to it. Nothing is ever
// deleted at 360dialog to reuse a name, and a sync never brings back what was replaced.

setTestEnvironment();

const sandbox = sandboxForFile();

beforeAll(async () => {
  await sandbox.sb.control("/config", { templateReviewDelayMs: -1, templateEditing: true });
});

it("proposeTemplateName counts on from _vN and skips every taken name", () => {
  expect(proposeTemplateName("order_update", [])).toBe("order_update_v2");
  expect(proposeTemplateName("order_update", ["order_update_v2", "order_update_v3"])).toBe("order_update_v4");
  expect(proposeTemplateName("order_update_v2", ["order_update_v3"])).toBe("order_update_v4");
  expect(proposeTemplateName("a".repeat(512), []).length).toBeLessThanOrEqual(512);
});

forEachDatabase("resubmitting rejected templates against the sandbox hub", (ctx) => {
  const suite = templateWorldForSuite(ctx, sandbox);
  const submit = (draft: TemplateDraft, templateId?: string, deps: Pick<TemplateDeps, "messagingApi"> = {}) =>
    saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, ...(templateId ? { templateId } : {}), action: "submit", draft }, { db: ctx.get().db, ...deps });
  const remoteNamed = async (name: string) => (await sandbox.sb.templatesOf(suite.number.externalId)).filter((t) => t.name === name);
  const rejectAtMeta = async (name: string, reason = "INVALID_FORMAT") => {
    const [remote] = await remoteNamed(name);
    await sandbox.sb.control(`/templates/${remote!.id}/status`, { status: "rejected", rejectedReason: reason });
    await syncChannelTemplates(suite.number.channel.id, { db: ctx.get().db });
    return remote!;
  };

  it("a rejected template is edited in place: same name and id at 360dialog, back in review, one history", async () => {
    const { db } = ctx.get();
    const name = uniqueName("in_place");
    const first = await submit(cleanDraft(name));
    const remote = await rejectAtMeta(name, "TAG_CONTENT_MISMATCH");
    expect(await templateRow(db, first.templateId)).toMatchObject({ status: "rejected", rejectedReason: "TAG_CONTENT_MISMATCH" });

    const edited = cleanDraft(name, { body: "Dear {{1}}, order {{2}} is now on its way to you." });
    const outcome = await submit(edited, first.templateId);
    expect(outcome).toMatchObject({ kind: "submitted", templateId: first.templateId, status: "pending" });
    const after = await remoteNamed(name);
    expect(after.map((t) => [t.id, t.status])).toEqual([[remote.id, "pending"]]);
    const row = await templateRow(db, first.templateId);
    expect(row).toMatchObject({ name, status: "pending", externalId: remote.id, rejectedReason: null });
    expect(row.components).toEqual(toComponents(edited));
    expect((await eventsOf(db, row.id)).map((e) => [e.status, e.source])).toEqual([
      ["draft", "user"],
      ["submitted", "submit"],
      ["rejected", "sync"],
      ["pending", "submit"],
    ]);
    expect((await auditsOf(db, row.id)).map((a) => a.action)).toEqual(["template.submitted", "template.resubmitted"]);
    await syncChannelTemplates(suite.number.channel.id, { db });
    expect((await templateRow(db, row.id)).status).toBe("pending");
  });

  it("a paused template is edited in place too, and a name with another language keeps it", async () => {
    const { db } = ctx.get();
    const name = uniqueName("paused");
    const en = await submit(cleanDraft(name));
    const us = await submit(cleanDraft(name, { language: "en_US" }));
    const enRemote = (await remoteNamed(name)).find((t) => t.language === "en")!;
    await sandbox.sb.control(`/templates/${enRemote.id}/status`, { status: "paused" });
    await syncChannelTemplates(suite.number.channel.id, { db });
    expect(EDITABLE_STATUSES).toContain((await templateRow(db, en.templateId)).status);
    const outcome = await submit(cleanDraft(name, { body: "Dear {{1}}, your order {{2}} is packed and ready." }), en.templateId);
    expect(outcome).toMatchObject({ kind: "submitted", status: "pending" });
    expect((await remoteNamed(name)).map((t) => [t.language, t.status]).sort()).toEqual([
      ["en", "pending"],
      ["en_US", "submitted"],
    ]);
    expect((await templateRow(db, us.templateId)).status).toBe("submitted");
  });

  it("where the hub cannot edit in place, a new name is proposed; the successor replaces the old row, which no sync brings back", async () => {
    const { db } = ctx.get();
    const name = uniqueName("no_edit");
    const outside = outsideMessagingApi(sandbox.sb, suite.number.apiKey);
    const first = await submit(cleanDraft(name));
    const remote = await rejectAtMeta(name);
    // A name the portal never saw is taken at 360dialog: the proposal skips it.
    await outside.createTemplate({ name: `${name}_v2`, language: "de", category: "UTILITY", components: toComponents(cleanDraft(`${name}_v2`)) });
    await sandbox.sb.control("/config", { templateEditing: false });
    try {
      const edited = cleanDraft(name, { body: "Dear {{1}}, order {{2}} is packed and ready to go." });
      const refused = await submit(edited, first.templateId);
      expect(refused).toMatchObject({ kind: "refused", templateId: first.templateId, proposedName: `${name}_v3` });
      if (refused.kind === "refused") expect(refused.findings).toContainEqual(expect.objectContaining({ field: "name", rule: "resubmit-new-name" }));
      // Nothing was deleted: Meta's rejected copy is still there, the row still rejected and editable.
      expect((await remoteNamed(name)).map((t) => [t.id, t.status])).toEqual([[remote.id, "rejected"]]);
      expect(await templateRow(db, first.templateId)).toMatchObject({ status: "rejected", name, replacedById: null });

      const rejectedCount = async () =>
        (await countTemplatesByStatus({ db, filter: { hubId: suite.world.hub.id } })).find((c) => c.status === "rejected")?.n ?? 0;
      const rejectedBefore = await rejectedCount();
      const outcome = await submit({ ...edited, name: `${name}_v3` }, first.templateId);
      // The status tabs stop counting the replaced row (the counters still hold it; replaced rows are taken out).
      expect(await rejectedCount()).toBe(rejectedBefore - 1);
      expect(outcome).toMatchObject({ kind: "submitted", status: "submitted" });
      const successorId = outcome.templateId;
      expect(successorId).not.toBe(first.templateId);
      expect(await templateRow(db, successorId)).toMatchObject({ name: `${name}_v3`, replacesId: first.templateId });
      expect(await templateRow(db, first.templateId)).toMatchObject({ name, status: "rejected", replacedById: successorId });
      expect((await remoteNamed(name)).map((t) => t.status)).toEqual(["rejected"]);
      expect((await remoteNamed(`${name}_v3`)).map((t) => t.status)).toEqual(["submitted"]);

      // Sync: the old rejected copy at 360dialog matches the old row; no new row, and it stays out of the lists.
      await syncChannelTemplates(suite.number.channel.id, { db });
      const page = await listTemplatesPage({ db, filter: { channelId: suite.number.channel.id }, limit: 200 });
      const names = page.rows.map((i) => i.name);
      expect(names).toContain(`${name}_v3`);
      expect(names).not.toContain(name);
      const rejected = await listRecentlyRejectedTemplates({ db, hubIds: [suite.world.hub.id], statuses: ["rejected"], since: new Date(Date.now() - 86_400_000), limit: 100 });
      expect(rejected.map((r) => r.name)).not.toContain(name);
      // One history: both rows, oldest first, from either end.
      expect((await listTemplateLineage({ db, id: successorId })).map((t) => t.id)).toEqual([first.templateId, successorId]);
      expect((await listTemplateLineage({ db, id: first.templateId })).map((t) => t.id)).toEqual([first.templateId, successorId]);
      expect((await eventsOf(db, first.templateId)).at(-1)).toMatchObject({ reason: `Resubmitted as ${name}_v3 (en).` });
    } finally {
      await sandbox.sb.control("/config", { templateEditing: true });
    }
  });

  it("edits through the address the hub chose; 'off', or an address the hub does not offer, proposes a new name and touches nothing at 360dialog", async () => {
    const { db } = ctx.get();
    const name = uniqueName("address");
    const first = await submit(cleanDraft(name));
    const remote = await rejectAtMeta(name);
    const edited = cleanDraft(name, { body: "Dear {{1}}, order {{2}} has left our warehouse today." });
    const [hub] = await db.select().from(hubs).where(eq(hubs.id, suite.world.hub.id));
    const withAddress = (editAddress: string) => db.update(hubs).set({ settings: { ...hub!.settings, templates: { ...(hub!.settings.templates as object), editAddress } } }).where(eq(hubs.id, hub!.id));
    try {
      for (const address of ["off", "messaging_post", "partner_patch"]) {
        await withAddress(address);
        const refused = await submit(edited, first.templateId);
        expect(refused, address).toMatchObject({ kind: "refused", proposedName: `${name}_v2` });
        // Still rejected at 360dialog and here, under its name and id: nothing deleted, nothing created.
        expect((await remoteNamed(name)).map((t) => [t.id, t.status]), address).toEqual([[remote.id, "rejected"]]);
        expect(await templateRow(db, first.templateId), address).toMatchObject({ status: "rejected", externalId: remote.id });
      }
      // Back to the address the sandbox offers: edited in place.
      await withAddress("messaging_patch");
      expect(await submit(edited, first.templateId)).toMatchObject({ kind: "submitted", status: "pending" });
    } finally {
      await db.update(hubs).set({ settings: hub!.settings }).where(eq(hubs.id, hub!.id));
    }
  });

  it("a name deleted at 360dialog is not created again: Meta's words and a proposed name come back", async () => {
    const { db } = ctx.get();
    const name = uniqueName("deleted_elsewhere");
    const outside = outsideMessagingApi(sandbox.sb, suite.number.apiKey);
    await outside.createTemplate({ name, language: "en", category: "UTILITY", components: toComponents(cleanDraft(name)) });
    await outside.deleteTemplate(name);
    const outcome = await submit(cleanDraft(name));
    expect(outcome).toMatchObject({ kind: "refused", proposedName: `${name}_v2` });
    if (outcome.kind === "refused") expect(outcome.findings.map((f) => f.message).join(" ")).toContain("is being deleted");
    expect(await templateRow(db, outcome.templateId)).toMatchObject({ status: "submit_failed" });
    expect(await remoteNamed(name)).toEqual([]);
  });

  it("an edit Meta refuses leaves the template rejected and editable, with Meta's words; no second copy appears", async () => {
    const { db } = ctx.get();
    const name = uniqueName("edit_refused");
    const first = await submit(cleanDraft(name));
    const remote = await rejectAtMeta(name);
    const refusing: FetchLike = async (url, init) =>
      init.method === "PATCH"
        ? Response.json({ error: { message: "Invalid parameter", code: 100, error_subcode: 2388293, error_user_title: "Body too promotional", error_user_msg: "The body reads as marketing." } }, { status: 400 })
        : fetch(url, init);
    const messagingApi = (options: { baseUrl: string; apiKey: string }) => createMessagingApi({ ...options, fetch: refusing, retries: 0, circuitBreaker: false });
    const edited = cleanDraft(name, { body: "Dear {{1}}, order {{2}} ships today, thanks for waiting." });
    const outcome = await submit(edited, first.templateId, { messagingApi });
    expect(outcome.kind).toBe("refused");
    if (outcome.kind === "refused") expect(outcome.findings[0]).toMatchObject({ field: "body", rule: "hub" });
    expect(await templateRow(db, first.templateId)).toMatchObject({ status: "rejected", externalId: remote.id });
    expect((await remoteNamed(name)).map((t) => t.id)).toEqual([remote.id]);
    // Fixed and sent again, in place.
    expect(await submit(edited, first.templateId)).toMatchObject({ kind: "submitted", status: "pending" });
  });

  it("named variables go out as parameter_format NAMED and come back with their samples", async () => {
    const { db } = ctx.get();
    const name = uniqueName("named");
    const draft = cleanDraft(name, { body: "Hello {{customer_name}}, your order {{order_id}} has shipped and arrives soon.", bodyExamples: ["Ana", "A-1001"] });
    expect(await submit(draft)).toMatchObject({ kind: "submitted" });
    const state = await sandbox.sb.control<{ templates: { name: string; parameter_format?: string; components: unknown[] }[] }>("/state");
    const held = state.templates.find((t) => t.name === name)!;
    expect(held.parameter_format).toBe("NAMED");
    expect(held.components).toEqual([
      { type: "BODY", text: draft.body, example: { body_text_named_params: [{ param_name: "customer_name", example: "Ana" }, { param_name: "order_id", example: "A-1001" }] } },
    ]);
    await syncChannelTemplates(suite.number.channel.id, { db });
    const page = await listTemplatesPage({ db, filter: { channelId: suite.number.channel.id }, limit: 200 });
    const row = await templateRow(db, page.rows.find((i) => i.name === name)!.id);
    expect(fromComponents({ name, language: "en", category: "UTILITY", components: row.components })).toMatchObject({ body: draft.body, bodyExamples: ["Ana", "A-1001"] });
  });

  it("what the editor cannot change is sent back as Meta holds it, whatever the browser sends", async () => {
    const { db } = ctx.get();
    const name = uniqueName("flow_kept");
    const outside = outsideMessagingApi(sandbox.sb, suite.number.apiKey);
    const flow = { type: "FLOW", text: "Sign up", flow_id: "1234567890", navigate_screen: "WELCOME_SCREEN", flow_action: "navigate" };
    await outside.createTemplate({
      name,
      language: "en",
      category: "MARKETING",
      components: [{ type: "BODY", text: "Sign up for our newsletter and get early access to new products." }, { type: "BUTTONS", buttons: [flow] }],
    });
    await syncChannelTemplates(suite.number.channel.id, { db });
    await rejectAtMeta(name);
    const page = await listTemplatesPage({ db, filter: { channelId: suite.number.channel.id }, limit: 200 });
    const row = await templateRow(db, page.rows.find((i) => i.name === name)!.id);
    const draft = fromComponents({ name, language: "en", category: "MARKETING", components: row.components });
    expect(draft.buttons).toEqual([{ type: "KEPT", kind: "FLOW", text: "Sign up", raw: flow }]);
    // A hostile or stale browser changes the read-only button: the stored one is what is sent.
    const tampered = { ...draft, body: "Sign up to our newsletter for early access to new products.", buttons: [{ type: "KEPT" as const, kind: "FLOW", text: "Sign up", raw: { ...flow, flow_id: "666" } }] };
    expect(await submit(tampered, row.id)).toMatchObject({ kind: "submitted", status: "pending" });
    const state = await sandbox.sb.control<{ templates: { name: string; components: unknown[] }[] }>("/state");
    expect(state.templates.find((t) => t.name === name)!.components).toEqual([
      { type: "BODY", text: "Sign up to our newsletter for early access to new products." },
      { type: "BUTTONS", buttons: [flow] },
    ]);
  });
});
