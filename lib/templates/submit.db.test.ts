import { expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { setTestEnvironment } from "@/test/support/channels";
import type { FetchLike } from "@/lib/hub/http";
import { createMessagingApi } from "@/lib/hub/messaging-api";
import { forEachDatabase } from "@/test/db/databases";
import { isAppError } from "../errors";
import { toComponents } from "./components";
import { saveOrSubmitTemplate } from "./submit";
import {
  auditsOf,
  cleanDraft,
  drainJobs,
  eventsOf,
  onboardKeyedChannel,
  outsideMessagingApi,
  rejectionOf,
  syncJobsFor,
  templateRow,
  uniqueName,
  sandboxForFile,
  templateWorldForSuite,
} from "@/test/support/templates";

setTestEnvironment();

const sandbox = sandboxForFile();

forEachDatabase("template submission against the sandbox hub", (ctx) => {
  const suite = templateWorldForSuite(ctx, sandbox);

  it("saves a draft with lint errors and refuses to send it: nothing reaches 360dialog", async () => {
    const { db } = ctx.get();
    const name = uniqueName("Bad Name");
    const draft = cleanDraft(name, { body: "{{1}} {{2}}", bodyExamples: ["", ""] });
    const saved = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, action: "save", draft }, { db });
    expect(saved.kind).toBe("saved");
    if (saved.kind !== "saved") return;
    expect(saved.status).toBe("draft");
    const fields = saved.findings.filter((f) => f.severity === "error").map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(["name", "body", "bodyExamples.0"]));
    expect(saved.message).toMatch(/must be fixed/);
    const row = await templateRow(db, saved.templateId);
    expect(row).toMatchObject({ status: "draft", name, language: "en", category: "UTILITY", requestedCategory: "UTILITY", externalId: null, submittedAt: null, createdBy: suite.world.operator.id });
    expect((await eventsOf(db, row.id)).map((e) => [e.status, e.source])).toEqual([["draft", "user"]]);

    const refused = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, templateId: row.id, action: "submit", draft }, { db });
    expect(refused).toMatchObject({ kind: "refused", templateId: row.id });
    if (refused.kind !== "refused") return;
    expect(refused.findings.map((f) => f.field)).toEqual(expect.arrayContaining(["name", "body"]));
    expect(await templateRow(db, row.id)).toMatchObject({ status: "draft", externalId: null });
    expect(await sandbox.sb.templatesOf(suite.number.externalId)).toEqual([]);
    expect((await eventsOf(db, row.id)).length).toBe(1);
  });

  it("submits a clean draft: the sandbox holds it, the row is submitted with its history and audit entry", async () => {
    const { db } = ctx.get();
    const name = uniqueName("order_update");
    const draft = cleanDraft(name);
    const outcome = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, action: "submit", draft }, { db });
    expect(outcome).toMatchObject({ kind: "submitted", status: "submitted" });
    const remote = (await sandbox.sb.templatesOf(suite.number.externalId)).filter((t) => t.name === name);
    expect(remote).toHaveLength(1);
    expect(remote[0]).toMatchObject({ language: "en", category: "UTILITY", status: "submitted" });
    const row = await templateRow(db, outcome.templateId);
    expect(row).toMatchObject({ status: "submitted", externalId: remote[0]!.id, category: "UTILITY", categoryChanged: false, rejectedReason: null });
    expect(row.submittedAt).toBeInstanceOf(Date);
    expect(row.components).toEqual(toComponents(draft));
    expect((await eventsOf(db, row.id)).map((e) => [e.status, e.source])).toEqual([
      ["draft", "user"],
      ["submitted", "submit"],
    ]);
    const audits = await auditsOf(db, row.id);
    expect(audits.map((a) => a.action)).toEqual(["template.submitted"]);
    expect(audits[0]).toMatchObject({ actorUserId: suite.world.operator.id, hubId: suite.world.hub.id, targetType: "template" });

    // Submitted is not editable: saving over it is refused and changes nothing.
    const locked = await rejectionOf(saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, templateId: row.id, action: "save", draft: cleanDraft(name, { body: "Changed text for {{1}} and {{2}} here." }) }, { db }));
    expect(isAppError(locked) && locked.code).toBe("conflict:template_status");
    expect((await templateRow(db, row.id)).components).toEqual(toComponents(draft));
  });

  it("two submits of one template at once: one is sent, the other gets a conflict; the sandbox holds ONE", async () => {
    const { db } = ctx.get();
    const url = ctx.url();
    // On PostgreSQL the second submit runs on its own pool, as from another instance.
    const second: DatabaseHandle | null = url ? await openDatabase({ driver: "postgres", url }) : null;
    try {
      const name = uniqueName("race");
      const draft = cleanDraft(name);
      const saved = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, action: "save", draft }, { db });
      const input = { channelId: suite.number.channel.id, templateId: saved.templateId, action: "submit" as const, draft };
      const results = await Promise.allSettled([
        saveOrSubmitTemplate(suite.world.actor, input, { db }),
        saveOrSubmitTemplate(suite.world.actor, input, { db: second?.db ?? db }),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r) => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(won[0]!.status === "fulfilled" && won[0]!.value.kind).toBe("submitted");
      expect(lost).toHaveLength(1);
      const error = lost[0]!.status === "rejected" ? (lost[0]!.reason as unknown) : undefined;
      expect(isAppError(error) && error.code.startsWith("conflict:")).toBe(true);
      expect((await sandbox.sb.templatesOf(suite.number.externalId)).filter((t) => t.name === name)).toHaveLength(1);
      const row = await templateRow(db, saved.templateId);
      expect(row.status).toBe("submitted");
      expect((await eventsOf(db, row.id)).filter((e) => e.source === "submit")).toHaveLength(1);
    } finally {
      await second?.close();
    }
  });

  it("a refusal by the sandbox comes back in its words beside the field; the draft stays and can be fixed", async () => {
    const { db } = ctx.get();
    const name = uniqueName("taken");
    // Written elsewhere first (the Hub): the same name and language already exist at 360dialog.
    await outsideMessagingApi(sandbox.sb, suite.number.apiKey).createTemplate({ name, language: "en", category: "UTILITY", components: toComponents(cleanDraft(name)) });
    const draft = cleanDraft(name, { body: "Hi {{1}}, the parcel {{2}} left our warehouse today." });
    const outcome = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, action: "submit", draft }, { db });
    expect(outcome.kind).toBe("refused");
    if (outcome.kind !== "refused") return;
    // Meta's words beside the language, and a free name proposed beside the name (docs/templates-meta.md §2).
    expect(outcome.findings).toHaveLength(2);
    expect(outcome.findings[0]).toMatchObject({ field: "language", rule: "hub", severity: "error" });
    expect(outcome.findings[1]).toMatchObject({ field: "name", rule: "resubmit-new-name", message: expect.stringContaining(`${name}_v2`) });
    expect(outcome.proposedName).toBe(`${name}_v2`);
    expect(outcome.findings[0]!.message).toContain("Content in this language already exists");
    expect(outcome.findings[0]!.message).toContain(`A template named ${name} already exists in en.`);
    expect(outcome.message).toMatch(/draft is saved/);

    const row = await templateRow(db, outcome.templateId);
    expect(row).toMatchObject({ status: "submit_failed", externalId: null, submittedAt: null });
    expect(row.components).toEqual(toComponents(draft));
    const events = await eventsOf(db, row.id);
    expect(events.at(-1)).toMatchObject({ status: "submit_refused", source: "submit" });
    expect(events.at(-1)!.reason).toContain("already exists in en");
    expect((await auditsOf(db, row.id)).map((a) => a.action)).toEqual(["template.submit_failed"]);
    expect((await sandbox.sb.templatesOf(suite.number.externalId)).filter((t) => t.name === name)).toHaveLength(1);

    // Editable again: a new language goes through.
    const fixed = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, templateId: row.id, action: "submit", draft: { ...draft, language: "en_US" } }, { db });
    expect(fixed).toMatchObject({ kind: "submitted", templateId: row.id });
    expect(await templateRow(db, row.id)).toMatchObject({ status: "submitted", language: "en_US" });
  });

  it("a create whose answer is lost (timeout) though it landed: unknown, then the queued sync finds it and takes its status", async () => {
    const { db } = ctx.get();
    const own = await onboardKeyedChannel(db, sandbox.sb, suite.world);
    const name = uniqueName("slow");
    // The sandbox's latency fault waits before it reads the request, so a request the client aborts never lands
    // there. Here the request reaches the sandbox in full and its answer is lost on the way back: the transport
    // times out after 300 ms while the template exists at 360dialog.
    const answerLost: FetchLike = async (url, init) => {
      await (await fetch(url, { ...init, signal: undefined })).text();
      return new Promise<Response>((_, reject) => init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))));
    };
    const impatient = (options: { baseUrl: string; apiKey: string }) =>
      createMessagingApi({ ...options, fetch: answerLost, timeoutMs: 300, retries: 0, circuitBreaker: false });
    const outcome = await saveOrSubmitTemplate(suite.world.actor, { channelId: own.channel.id, action: "submit", draft: cleanDraft(name) }, { db, messagingApi: impatient });
    expect(outcome.kind).toBe("unknown");
    expect(outcome.message).toMatch(/not known whether/);
    expect((await sandbox.sb.templatesOf(own.externalId)).map((t) => t.name)).toEqual([name]);

    const row = await templateRow(db, outcome.templateId);
    expect(row.status).toBe("submit_unknown");
    expect((await eventsOf(db, row.id)).at(-1)).toMatchObject({ status: "submit_error", source: "submit" });
    const queued = await syncJobsFor(db, own.channel.id);
    expect(queued.map((j) => [j.status, (j.payload as { reason?: string }).reason])).toEqual([["queued", "submit_unknown"]]);

    await drainJobs(db);
    expect((await syncJobsFor(db, own.channel.id)).map((j) => j.status)).toEqual(["done"]);
    const remote = (await sandbox.sb.templatesOf(own.externalId)).find((t) => t.name === name)!;
    expect(await templateRow(db, row.id)).toMatchObject({ status: "submitted", externalId: remote.id });
    expect((await eventsOf(db, row.id)).at(-1)).toMatchObject({ status: "submitted", source: "sync" });
  });

  it("a create answered 500 that did not land: unknown, then the sync marks it refused-on-submit with an event", async () => {
    const { db } = ctx.get();
    const own = await onboardKeyedChannel(db, sandbox.sb, suite.world);
    const name = uniqueName("lost");
    await sandbox.sb.control("/faults", { errorRate: 1 });
    const outcome = await saveOrSubmitTemplate(suite.world.actor, { channelId: own.channel.id, action: "submit", draft: cleanDraft(name) }, { db });
    await sandbox.sb.control("/faults", {});
    expect(outcome.kind).toBe("unknown");
    expect(await sandbox.sb.templatesOf(own.externalId)).toEqual([]);
    expect((await templateRow(db, outcome.templateId)).status).toBe("submit_unknown");

    await drainJobs(db);
    const row = await templateRow(db, outcome.templateId);
    expect(row.status).toBe("submit_failed");
    expect((await eventsOf(db, row.id)).at(-1)).toMatchObject({ status: "submit_failed", source: "sync" });
    expect((await eventsOf(db, row.id)).at(-1)!.reason).toMatch(/did not arrive/);

    // Editable again and submits normally now.
    const again = await saveOrSubmitTemplate(suite.world.actor, { channelId: own.channel.id, templateId: row.id, action: "submit", draft: cleanDraft(name) }, { db });
    expect(again.kind).toBe("submitted");
    expect((await sandbox.sb.templatesOf(own.externalId)).filter((t) => t.name === name)).toHaveLength(1);
  });
});
