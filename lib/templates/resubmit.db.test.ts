import { expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { setTestEnvironment } from "@/test/support/channels";
import type { FetchLike } from "@/lib/hub/http";
import { createMessagingApi } from "@/lib/hub/messaging-api";
import { forEachDatabase } from "@/test/db/databases";
import { isAppError } from "../errors";
import { toComponents } from "./components";
import { EDITABLE_STATUSES, saveOrSubmitTemplate } from "./submit";
import { syncChannelTemplates } from "./sync";
import {
  auditsOf,
  cleanDraft,
  eventsOf,
  outsideMessagingApi,
  rejectionOf,
  templateRow,
  uniqueName,
  sandboxForFile,
  templateWorldForSuite,
} from "@/test/support/templates";

setTestEnvironment();

const sandbox = sandboxForFile();

forEachDatabase("resubmitting rejected templates against the sandbox hub", (ctx) => {
  const suite = templateWorldForSuite(ctx, sandbox);

  it("resubmitting a rejected template replaces Meta's rejected copy; the history keeps the rejection", async () => {
    const { db } = ctx.get();
    const name = uniqueName("resubmit");
    const first = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, action: "submit", draft: cleanDraft(name) }, { db });
    const oldRemote = (await sandbox.sb.templatesOf(suite.number.externalId)).find((t) => t.name === name)!;
    await sandbox.sb.control(`/templates/${oldRemote.id}/status`, { status: "rejected", rejectedReason: "TAG_CONTENT_MISMATCH" });
    await syncChannelTemplates(suite.number.channel.id, { db });
    expect(await templateRow(db, first.templateId)).toMatchObject({ status: "rejected", rejectedReason: "TAG_CONTENT_MISMATCH" });

    const edited = cleanDraft(name, { body: "Dear {{1}}, order {{2}} is now on its way to you." });
    const outcome = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, templateId: first.templateId, action: "submit", draft: edited }, { db });
    expect(outcome).toMatchObject({ kind: "submitted", status: "submitted" });
    const remote = (await sandbox.sb.templatesOf(suite.number.externalId)).filter((t) => t.name === name);
    expect(remote).toHaveLength(1);
    expect(remote[0]!.id).not.toBe(oldRemote.id);
    expect(remote[0]!.status).toBe("submitted");
    const row = await templateRow(db, first.templateId);
    expect(row).toMatchObject({ status: "submitted", externalId: remote[0]!.id, rejectedReason: null });
    expect(row.components).toEqual(toComponents(edited));
    const history = (await eventsOf(db, row.id)).map((e) => [e.status, e.reason, e.source]);
    expect(history).toEqual([
      ["draft", null, "user"],
      ["submitted", null, "submit"],
      ["rejected", "TAG_CONTENT_MISMATCH", "sync"],
      ["submitted", null, "submit"],
    ]);
    expect((await auditsOf(db, row.id)).map((a) => a.action)).toEqual(["template.submitted", "template.resubmitted"]);
  });

  it("a resubmission refused after the rejected copy was deleted stays editable, and a sync does not bury it as deleted", async () => {
    const { db } = ctx.get();
    const name = uniqueName("refused_again");
    const first = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, action: "submit", draft: cleanDraft(name) }, { db });
    const oldRemote = (await sandbox.sb.templatesOf(suite.number.externalId)).find((t) => t.name === name)!;
    await sandbox.sb.control(`/templates/${oldRemote.id}/status`, { status: "rejected", rejectedReason: "INVALID_FORMAT" });
    await syncChannelTemplates(suite.number.channel.id, { db });

    // Meta refuses the new version (a rule the sandbox does not know): the create answers 400 with Meta's words.
    const refusing: FetchLike = async (url, init) =>
      init.method === "POST" && url.endsWith("/v1/configs/templates")
        ? Response.json({ error: { message: "Invalid parameter", code: 100, error_subcode: 2388293, error_user_title: "Body too promotional", error_user_msg: "The body reads as marketing." } }, { status: 400 })
        : fetch(url, init);
    const messagingApi = (options: { baseUrl: string; apiKey: string }) => createMessagingApi({ ...options, fetch: refusing, retries: 0, circuitBreaker: false });
    const edited = cleanDraft(name, { body: "Dear {{1}}, order {{2}} ships today, thanks for waiting." });
    const outcome = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, templateId: first.templateId, action: "submit", draft: edited }, { db, messagingApi });
    expect(outcome.kind).toBe("refused");
    if (outcome.kind === "refused") expect(outcome.findings[0]).toMatchObject({ field: "body", rule: "hub" });
    // The old copy is gone at 360dialog: nothing of this name is left there.
    expect((await sandbox.sb.templatesOf(suite.number.externalId)).filter((t) => t.name === name)).toEqual([]);

    await syncChannelTemplates(suite.number.channel.id, { db });
    const row = await templateRow(db, first.templateId);
    expect(row.status).not.toBe("deleted");
    expect(EDITABLE_STATUSES).toContain(row.status);
    expect(row.components).toEqual(toComponents(edited));
    const history = (await eventsOf(db, row.id)).map((e) => [e.status, e.source]);
    expect(history).toContainEqual(["rejected", "sync"]);
    expect(history).toContainEqual(["submit_refused", "submit"]);

    // And it can be fixed and sent again.
    const again = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, templateId: row.id, action: "submit", draft: edited }, { db });
    expect(again).toMatchObject({ kind: "submitted", status: "submitted" });
    expect((await sandbox.sb.templatesOf(suite.number.externalId)).filter((t) => t.name === name)).toHaveLength(1);
  });

  it("resubmitting never deletes what 360dialog holds that the portal has not synced yet", async () => {
    const { db } = ctx.get();
    const outside = outsideMessagingApi(sandbox.sb, suite.number.apiKey);
    const rejectedOne = async (name: string) => {
      const first = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, action: "submit", draft: cleanDraft(name) }, { db });
      const remote = (await sandbox.sb.templatesOf(suite.number.externalId)).find((t) => t.name === name)!;
      await sandbox.sb.control(`/templates/${remote.id}/status`, { status: "rejected", rejectedReason: "INVALID_FORMAT" });
      await syncChannelTemplates(suite.number.channel.id, { db });
      return first.templateId;
    };
    const edited = (name: string) => cleanDraft(name, { body: "Dear {{1}}, order {{2}} is packed and ready to go." });

    // Same name: another language was added in the Hub after the last sync. Deleting by name would take it too.
    const same = uniqueName("unsynced_sibling");
    const sameId = await rejectedOne(same);
    await outside.createTemplate({ name: same, language: "en_US", category: "UTILITY", components: toComponents(cleanDraft(same)) });
    const error = await rejectionOf(saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, templateId: sameId, action: "submit", draft: edited(same) }, { db }));
    expect(isAppError(error) && error.code).toBe("conflict:template_languages");
    expect((await sandbox.sb.templatesOf(suite.number.externalId)).filter((t) => t.name === same).map((t) => t.language).sort()).toEqual(["en", "en_US"]);
    expect((await templateRow(db, sameId)).status).toBe("rejected");

    // Renamed: the new name is a new template at Meta; the Hub's template of that name in another language stays.
    const old = uniqueName("renamed_from");
    const renamed = `${old}_v2`;
    const oldId = await rejectedOne(old);
    await outside.createTemplate({ name: renamed, language: "en_US", category: "UTILITY", components: toComponents(cleanDraft(renamed)) });
    const outcome = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, templateId: oldId, action: "submit", draft: edited(renamed) }, { db });
    expect(outcome).toMatchObject({ kind: "submitted", templateId: oldId });
    const remote = await sandbox.sb.templatesOf(suite.number.externalId);
    expect(remote.filter((t) => t.name === renamed).map((t) => [t.language, t.status]).sort()).toEqual([
      ["en", "submitted"],
      ["en_US", "submitted"],
    ]);
  });

  it("a rejected template whose name has another language is not deleted at 360dialog: a new name is asked for", async () => {
    const { db } = ctx.get();
    const name = uniqueName("bilingual");
    const en = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, action: "submit", draft: cleanDraft(name) }, { db });
    const us = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, action: "submit", draft: cleanDraft(name, { language: "en_US" }) }, { db });
    expect([en.kind, us.kind]).toEqual(["submitted", "submitted"]);
    const enRemote = (await sandbox.sb.templatesOf(suite.number.externalId)).find((t) => t.name === name && t.language === "en")!;
    await sandbox.sb.control(`/templates/${enRemote.id}/status`, { status: "rejected", rejectedReason: "INVALID_FORMAT" });
    await syncChannelTemplates(suite.number.channel.id, { db });
    expect((await templateRow(db, en.templateId)).status).toBe("rejected");

    const edited = cleanDraft(name, { body: "Dear {{1}}, your order {{2}} is packed and ready." });
    const error = await rejectionOf(saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, templateId: en.templateId, action: "submit", draft: edited }, { db }));
    expect(isAppError(error) && error.code).toBe("conflict:template_languages");
    expect(isAppError(error) && error.publicMessage).toContain("new name");
    expect(isAppError(error) && error.fieldErrors?.name).toBeDefined();
    const remote = (await sandbox.sb.templatesOf(suite.number.externalId)).filter((t) => t.name === name);
    expect(remote.map((t) => [t.language, t.status]).sort()).toEqual([
      ["en", "rejected"],
      ["en_US", "submitted"],
    ]);
    const row = await templateRow(db, en.templateId);
    // Back to rejected (editable), with the edit kept.
    expect(row).toMatchObject({ status: "rejected", rejectedReason: "INVALID_FORMAT", externalId: enRemote.id });
    expect(row.components).toEqual(toComponents(edited));
    expect(await db.select().from(auditLog)).not.toContainEqual(expect.objectContaining({ action: "template.resubmitted", targetId: en.templateId }));
  });
});
