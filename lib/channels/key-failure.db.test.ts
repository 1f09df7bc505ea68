import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import { jobs, type Hub } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { createJobRunner, type JobLog } from "../jobs/runner";
import { jobHandlers } from "../job-registry";
import { processSlots as slot } from "../process-slots";
import { applyWebhookEvent } from "../webhooks/apply";
import { maskedKeyFor, retryKeyProvision } from "./api-keys";
import { listStuckChannels } from "./stuck";
import { createHub, createUser, jobsOfKind, setTestEnvironment, startTestSandbox, storeWebhook, waitFor, type TestSandbox } from "@/test/support/channels";

setTestEnvironment();

// A key that did not come (docs/channel-lifecycle.md §4): the sandbox refuses key generation N times with
// 360dialog's error envelope; the job waits to retry; the key state says so, with the hub's answer and the next
// try; "Retry now" runs the waiting job at once; regenerating is refused while no key exists.

const quiet: JobLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
  await sb.control("/partners", { id: "sandboxPA", apiKey: "sandbox-partner-key", platformSecret: "sandbox-platform-secret", webhookUrl: sb.webhookUrl });
});
afterAll(async () => {
  await sb.close();
});

forEachDatabase("a key generation that fails", (ctx) => {
  let hub: Hub;
  beforeAll(async () => {
    slot.db = Promise.resolve(ctx.get());
    hub = await createHub(ctx.get().db, { url: sb.url, partnerId: "sandboxPA" });
  });
  afterAll(() => {
    slot.db = undefined;
  });
  const runner = () => createJobRunner({ getDb: () => ctx.get().db, handlers: jobHandlers, concurrency: 1, pollMs: 60_000, leaseSeconds: 30, log: quiet });
  /** Runs due jobs (the stored deliveries' own webhook jobs first) until nothing is due. */
  const drain = async () => {
    let ran = 0;
    for (let n = await runner().runOnce(); n > 0; n = await runner().runOnce()) ran += n;
    return ran;
  };

  it("shows the failure, the next try and the hub's answer, and counts it as needing attention", async () => {
    const { db } = ctx.get();
    await sb.control("/faults", { apiKeyFailures: { count: 2, status: 503, message: "Failed to create API key for the channel" } });
    const { channelIds } = await sb.control<{ channelIds: string[] }>("/onboard", { partnerId: "sandboxPA", permission: true });
    const externalId = channelIds[0]!;
    const of = () => sb.received.filter((b) => (b.data as { id?: string } | undefined)?.id === externalId);
    await waitFor(() => of().some((b) => b.event === "channel_live"), "channel_live");
    for (const body of of()) await applyWebhookEvent(await storeWebhook(db, hub.id, body), { db });
    const channel = (await findChannelByExternalId({ db, hubId: hub.id, externalId }))!;
    const [job] = (await jobsOfKind(db, "api_key.provision")).filter((j) => j.payload.channelId === channel.id);

    expect(await drain()).toBeGreaterThanOrEqual(1);
    const key = await maskedKeyFor(channel.id, { db });
    expect(key.status).toBe("pending");
    expect(key.job).toMatchObject({ id: job!.id, status: "queued", attempts: 1 });
    expect(key.job!.lastError).toContain("HTTP 503");
    expect(key.job!.lastError).toContain("Failed to create API key for the channel");
    expect(key.job!.runAt.getTime()).toBeGreaterThan(Date.now());

    const stuck = (await listStuckChannels({ hubId: hub.id, limit: 500 }, { db })).filter((s) => s.channelId === channel.id);
    expect(stuck.map((s) => [s.rule, s.action])).toEqual([["key_failing", "retry_key"]]);
    expect(stuck[0]!.explanation).toContain("HTTP 503");
    // An hour on, the number also matches no_api_key, and is still listed once: under key_failing, and under
    // no_api_key not even when that reason alone is asked for (the Needs attention page's filter).
    const later = new Date(Date.now() + 3_600_000);
    const mine = async (rules?: ("no_api_key" | "key_failing")[]) =>
      (await listStuckChannels({ hubId: hub.id, limit: 500, now: later, ...(rules ? { rules } : {}) }, { db })).filter((s) => s.channelId === channel.id).map((s) => s.rule);
    expect(await mine()).toEqual(["key_failing"]);
    expect(await mine(["no_api_key"])).toEqual([]);
    expect(await mine(["key_failing"])).toEqual(["key_failing"]);

    // Out of the next test's way: this job waits.
    await db.update(jobs).set({ runAt: new Date(Date.now() + 3_600_000) }).where(eq(jobs.id, job!.id));
  });

  it("Retry now runs the waiting job at once and the key arrives once the hub answers", async () => {
    const { db } = ctx.get();
    await sb.control("/faults", { apiKeyFailures: { count: 1, status: 500 } });
    const { channelIds } = await sb.control<{ channelIds: string[] }>("/onboard", { partnerId: "sandboxPA", permission: true });
    const externalId = channelIds[0]!;
    const of = () => sb.received.filter((b) => (b.data as { id?: string } | undefined)?.id === externalId);
    await waitFor(() => of().some((b) => b.event === "channel_live"), "channel_live");
    for (const body of of()) await applyWebhookEvent(await storeWebhook(db, hub.id, body), { db });
    const channel = (await findChannelByExternalId({ db, hubId: hub.id, externalId }))!;

    await drain();
    const failed = await maskedKeyFor(channel.id, { db });
    expect(failed.job).toMatchObject({ status: "queued", attempts: 1 });
    // Not due yet: a runner pass does nothing.
    await db.update(jobs).set({ runAt: new Date(Date.now() + 3_600_000) }).where(eq(jobs.id, failed.job!.id));
    expect(await drain()).toBe(0);

    const operator = await createUser(db, "operator");
    expect(await retryKeyProvision({ id: operator.id, email: operator.email }, channel.id, { db })).toEqual({ jobId: failed.job!.id });
    // The key job, the channel.waba_webhook job a stored key queues (docs/waba-webhook.md §2), and the dispatch of
    // its channel.api_key.ready event (docs/events.md).
    expect(await drain()).toBe(3);
    expect((await jobsOfKind(db, "event.dispatch")).filter((j) => j.status === "done").length).toBeGreaterThan(0);
    const key = await maskedKeyFor(channel.id, { db });
    expect(key).toMatchObject({ status: "active", job: null });
    expect(sb.keyPosts(externalId)).toBe(2);
  });
});
