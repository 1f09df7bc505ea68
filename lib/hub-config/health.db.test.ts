import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { countTemplateSyncIntoRun, findHubById, setTemplateSyncTotal, updateHub } from "@/db/queries/hubs";
import { auditLog, jobs, type Hub } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { bindAppDatabase } from "@/test/db/use-as-app-db";
import { createHub, createUser, setTestEnvironment, startTestSandbox, type TestSandbox } from "@/test/support/channels";
import { jobHandlers } from "../job-registry";
import { enqueueReconcileJobs } from "../jobs/enqueue";
import { recordHubRun } from "./health";
import { setHubArchived } from "./settings";

// docs/hub-settings.md §6: a reconcile's outcome lands on its hub (badge and last-run panel), a hub-wide template
// sync counts every number into one run, and an archived hub gets no scheduled jobs and is audited both ways.

setTestEnvironment();

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
  await sb.control("/faults", { dropDeliveries: 1 });
});
afterAll(async () => {
  await sb.close();
});

const job = <K extends "hub.reconcile">(kind: K, payload: { hubId: string; requestedBy?: string }, attempt = 1) => ({ id: randomUUID(), kind, payload, attempt, maxAttempts: 3 });

forEachDatabase("hub health, last runs and archive", (ctx) => {
  let restoreDb: () => void;
  beforeAll(() => {
    restoreDb = bindAppDatabase(ctx.get());
  });
  afterAll(() => restoreDb());

  it("a reconcile with a wrong key: the run failed with the 401 reason and the hub is failing; with the right key: finished and healthy", async () => {
    const { db } = ctx.get();
    const hub = await createHub(db, { url: sb.url, partnerId: "sandboxPA", apiKey: "wrong-key" });
    const reconcile = jobHandlers["hub.reconcile"];
    const failing = job("hub.reconcile", { hubId: hub.id, requestedBy: "someone" });
    await expect(reconcile(failing)).rejects.toThrow();
    let after = (await findHubById({ db, id: hub.id }))!;
    expect(after.health).toMatchObject({ ok: false, source: "reconcile", reason: "401" });
    expect(after.health?.message).toContain("401 Unauthorized");
    expect(after.lastRuns.reconcile).toMatchObject({ jobId: failing.id, state: "failed", requestedBy: "staff" });
    expect(after.lastRuns.reconcile?.summary).toMatch(/Attempt 1 of 3; retrying/);

    const { sealHubCredentials } = await import("./secrets");
    await updateHub({ db, id: hub.id, set: { credentialsEnc: sealHubCredentials(hub.id, { kind: "api_key", apiKey: "sandbox-partner-key" }) } });
    const ok = job("hub.reconcile", { hubId: hub.id });
    await reconcile(ok);
    after = (await findHubById({ db, id: hub.id }))!;
    expect(after.health).toMatchObject({ ok: true, source: "reconcile" });
    expect(after.lastRuns.reconcile).toMatchObject({ jobId: ok.id, state: "done", requestedBy: "schedule" });
    expect(after.lastRuns.reconcile?.summary).toMatch(/^Read \d+ clients and \d+ numbers: /);
  });

  it("a hub-wide template sync is one run: each number reports into it, and it ends failed when one failed", async () => {
    const { db } = ctx.get();
    const hub: Hub = await createHub(db);
    const jobId = randomUUID();
    await recordHubRun({ db, hubId: hub.id, kind: "templateSync", run: { jobId, state: "running", summary: "Syncing", done: 0, failed: 0, changed: 0, errors: [] } });
    await countTemplateSyncIntoRun({ db, hubId: hub.id, outcome: { ok: true, changed: 2 } });
    await setTemplateSyncTotal({ db, hubId: hub.id, jobId, total: 3 });
    expect((await findHubById({ db, id: hub.id }))!.lastRuns.templateSync).toMatchObject({ state: "running", done: 1, total: 3, changed: 2 });
    await Promise.all([
      countTemplateSyncIntoRun({ db, hubId: hub.id, outcome: { ok: true, changed: 1 } }),
      countTemplateSyncIntoRun({ db, hubId: hub.id, outcome: { ok: false, changed: 0, error: "+4915…: upstream: 401" } }),
    ]);
    const run = (await findHubById({ db, id: hub.id }))!.lastRuns.templateSync;
    expect(run).toMatchObject({ state: "failed", done: 2, failed: 1, changed: 3, errors: ["+4915…: upstream: 401"] });
    // A report after the run ended changes nothing.
    await countTemplateSyncIntoRun({ db, hubId: hub.id, outcome: { ok: true, changed: 5 } });
    expect((await findHubById({ db, id: hub.id }))!.lastRuns.templateSync).toMatchObject({ changed: 3 });
  });

  it("archive and restore: audited, no scheduled reconcile while archived, everything kept", async () => {
    const { db } = ctx.get();
    const admin = await createUser(db, "admin");
    const hub = await createHub(db);
    const actor = { id: admin.id, email: admin.email };
    await setHubArchived(actor, hub.id, true);
    expect((await findHubById({ db, id: hub.id }))!.archivedAt).toBeInstanceOf(Date);
    const now = new Date("2030-01-01T00:00:00Z");
    await enqueueReconcileJobs({ db, now, intervalMinutes: 15 });
    const queuedFor = async () => (await db.select().from(jobs).where(eq(jobs.kind, "hub.reconcile"))).filter((j) => j.payload.hubId === hub.id);
    expect(await queuedFor()).toHaveLength(0);
    await setHubArchived(actor, hub.id, false);
    expect((await findHubById({ db, id: hub.id }))!.archivedAt).toBeNull();
    await enqueueReconcileJobs({ db, now: new Date("2030-01-01T01:00:00Z"), intervalMinutes: 15 });
    expect(await queuedFor()).toHaveLength(1);
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.targetId, hub.id)));
    expect(audits.map((a) => a.action).sort()).toEqual(["hub.archived", "hub.restored"]);
    expect((await findHubById({ db, id: hub.id }))!.credentialsEnc).toBe(hub.credentialsEnc);
  });
});
