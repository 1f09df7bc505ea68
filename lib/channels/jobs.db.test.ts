import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import { findJobById } from "@/db/queries/jobs";
import { getWebhookEvent } from "@/db/queries/webhook-events";
import { jobs, type Hub } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { enqueueJob } from "../jobs/enqueue";
import { webhookJobKey } from "../jobs/kinds";
import { createJobRunner, type JobLog } from "../jobs/runner";
import { retryKeyProvision } from "./api-keys";
import { jobHandlers } from "../job-registry";
import { processSlots as slot } from "../process-slots";
import { listStuckChannels } from "./stuck";
import { createHub, createUser, jobsOfKind, setTestEnvironment, storeWebhook } from "@/test/support/channels";

setTestEnvironment();

const quiet: JobLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const handlers = jobHandlers;

forEachDatabase("channel job handlers in the job runner", (ctx) => {
  let hub: Hub;
  beforeAll(async () => {
    // The handlers take the process-wide database from lib/db.
    slot.db = Promise.resolve(ctx.get());
    // Port 9 on loopback refuses connections: every Partner API call fails fast.
    hub = await createHub(ctx.get().db, { url: "http://127.0.0.1:9" });
  });
  afterAll(() => {
    slot.db = undefined;
  });

  // The changes these jobs make queue `event.dispatch` jobs (docs/events.md); this file counts the jobs it is about,
  // so those are set aside before each run (lib/events/events.db.test.ts covers them).
  const setAsideEventJobs = () => ctx.get().db.update(jobs).set({ status: "done" }).where(and(eq(jobs.kind, "event.dispatch"), eq(jobs.status, "queued")));
  beforeEach(async () => {
    await setAsideEventJobs();
  });

  const runner = () => createJobRunner({ getDb: () => ctx.get().db, handlers, concurrency: 2, pollMs: 60_000, leaseSeconds: 30, log: quiet });

  it("webhook job → key job; a key job that keeps failing ends dead and shows on the stuck list", async () => {
    const { db } = ctx.get();
    // Stored as the receiver stores it: the row and its webhook.process job.
    const eventId = await storeWebhook(db, hub.id, { id: randomUUID(), event: "channel_running", data: { id: "runCH", status: "running", modified_at: new Date(Date.now() - 3_600_000).toISOString() } });
    expect((await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: eventId }, uniqueKey: webhookJobKey(eventId) })).created).toBe(false);
    expect(await runner().runOnce()).toBe(1);
    expect(await getWebhookEvent({ db, id: eventId })).toMatchObject({ status: "done" });
    const channel = (await findChannelByExternalId({ db, hubId: hub.id, externalId: "runCH" }))!;
    const [keyJob] = (await jobsOfKind(db, "api_key.provision")).filter((j) => j.payload.channelId === channel.id);
    expect(keyJob).toBeDefined();

    await db.update(jobs).set({ maxAttempts: 1 }).where(eq(jobs.id, keyJob!.id));
    await setAsideEventJobs();
    expect(await runner().runOnce()).toBe(1);
    const dead = await findJobById({ db, id: keyJob!.id });
    expect(dead).toMatchObject({ status: "dead" });
    expect(dead?.lastError).toBeTruthy();
    const stuck = await listStuckChannels({ hubId: hub.id, limit: 50 }, { db });
    expect(stuck.filter((s) => s.channelId === channel.id).map((s) => [s.rule, s.action, s.jobId])).toContainEqual(["dead_job", "replay_job", keyJob!.id]);

    // "Retry key" on that row sends the dead job back to the queue rather than adding another.
    const operator = await createUser(db, "operator");
    const retried = await retryKeyProvision({ id: operator.id, email: operator.email }, channel.id, { db });
    expect(retried.jobId).toBe(keyJob!.id);
    expect(await findJobById({ db, id: keyJob!.id })).toMatchObject({ status: "queued", attempts: 0 });
    const after = await listStuckChannels({ hubId: hub.id, limit: 50 }, { db });
    expect(after.filter((s) => s.channelId === channel.id && s.rule === "dead_job")).toEqual([]);
    await db.update(jobs).set({ status: "done" }).where(eq(jobs.id, keyJob!.id));
  }, 30_000);

  it("a webhook event that fails on its last attempt is marked dead with its job", async () => {
    const { db } = ctx.get();
    const eventId = await storeWebhook(db, hub.id, { id: randomUUID(), event: "channel_created", data: { id: "deadCH", setup_info: { phone_number: "+49\u0000" } } });
    const [queued] = await db.update(jobs).set({ maxAttempts: 1 }).where(eq(jobs.uniqueKey, webhookJobKey(eventId))).returning({ id: jobs.id });
    const id = queued!.id;
    expect(await runner().runOnce()).toBe(1);
    const job = await findJobById({ db, id });
    expect(job).toMatchObject({ status: "dead" });
    const event = await getWebhookEvent({ db, id: eventId });
    expect(event).toMatchObject({ status: "dead", attempts: 1 });
    // The stored errors name the database's complaint, never the statement's values.
    for (const text of [job?.lastError, event?.lastError]) {
      expect(text).toBeTruthy();
      expect(text).not.toContain("+49");
      expect(text).not.toContain("Failed query");
    }
  });

  it("reconciling a hub that is gone finishes quietly", async () => {
    const { db } = ctx.get();
    const { id } = await enqueueJob(db, { kind: "hub.reconcile", payload: { hubId: randomUUID() } });
    expect(await runner().runOnce()).toBe(1);
    expect(await findJobById({ db, id })).toMatchObject({ status: "done" });
    await db.execute(sql`delete from jobs where id = ${id}`);
  });
});
