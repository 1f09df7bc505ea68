import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { insertHub } from "@/db/queries/hubs";
import { insertUser } from "@/db/queries/users";
import { insertChannelEvent } from "@/db/queries/channel-events";
import { listChannelTimeline } from "@/db/queries/channel-list";
import { getWebhookEvent, setWebhookEventOutcome } from "@/db/queries/webhook-events";
import { auditLog, channels, jobs } from "@/db/schema";
import { isAppError } from "@/lib/errors";
import { WEBHOOK_PROCESS_JOB, webhookJobKey, webhookReplayJobKey } from "@/lib/jobs/kinds";
import { forEachDatabase } from "@/test/db/databases";
import { setTestAppEnv, bindAppDatabase } from "@/test/db/use-as-app-db";
import { replayWebhookEvent } from "./replay";
import { deliveryStatement } from "./store";

forEachDatabase("webhook inbox queries and replay", (ctx) => {
  let restoreDb: () => void;
  let hubId: string;
  let actor: { id: string; email: string };

  const newEvent = (dedupKey: string, status: "pending" | "ignored" = "pending", event = "channel_live") =>
    deliveryStatement.run(ctx.get().db, { hubId, dedupKey, event, rawBody: "{}", headers: {}, signatureResult: "valid", status });
  const jobsFor = (id: string) =>
    ctx.get().db.select().from(jobs).where(sql`${jobs.payload}->>'webhookEventId' = ${id}`);

  beforeAll(async () => {
    setTestAppEnv();
    restoreDb = bindAppDatabase(ctx.get());
    hubId = randomUUID();
    await insertHub({
      db: ctx.get().db,
      hub: { id: hubId, name: "Hub", partnerId: `pa${hubId.slice(0, 6)}`, partnerApiBaseUrl: "http://127.0.0.1:9", ioBaseUrl: "http://127.0.0.1:9" },
    });
    const user = await insertUser({ db: ctx.get().db, user: { email: `ops-${hubId.slice(0, 6)}@example.com`, role: "operator" } });
    actor = { id: user.id, email: user.email };
  });
  afterAll(() => restoreDb());

  it("upserts by (hub, dedup key) and tells a fresh insert from a repeat; the delivery's job is queued once", async () => {
    const first = await newEvent("k1");
    const again = await newEvent("k1");
    expect(first.inserted).toBe(true);
    expect(again).toEqual({ id: first.id, inserted: false, status: "pending" });
    expect((await getWebhookEvent({ db: ctx.get().db, id: first.id }))?.deliveries).toBe(2);
    expect((await jobsFor(first.id)).map((j) => [j.kind, j.uniqueKey, j.status])).toEqual([[WEBHOOK_PROCESS_JOB, webhookJobKey(first.id), "queued"]]);
    // An ignored delivery (signed, but no event object) is kept for the record and never processed.
    expect(await jobsFor((await newEvent("k1-ignored", "ignored", "invalid")).id)).toEqual([]);
  });

  it("records each processing outcome as an attempt", async () => {
    const { id } = await newEvent("k2");
    const processedAt = new Date("2030-01-01T00:00:00Z");
    await setWebhookEventOutcome({ db: ctx.get().db, id, status: "failed", lastError: "hub said 500" });
    const done = await setWebhookEventOutcome({ db: ctx.get().db, id, status: "done", processedAt });
    expect(done).toMatchObject({ status: "done", attempts: 2, lastError: null, processedAt });
    expect(await setWebhookEventOutcome({ db: ctx.get().db, id: randomUUID(), status: "done" })).toBeUndefined();
  });

  it("replays a processed event: pending again, a new job, an audit entry", async () => {
    const { id } = await newEvent("k3");
    await setWebhookEventOutcome({ db: ctx.get().db, id, status: "dead", lastError: "gave up", processedAt: new Date() });
    const first = await replayWebhookEvent(actor, id, new Date(1_000));
    const second = await replayWebhookEvent(actor, id, new Date(2_000));
    expect(first.jobId).not.toBe(second.jobId);
    expect(await getWebhookEvent({ db: ctx.get().db, id })).toMatchObject({ status: "pending", lastError: null, processedAt: null, attempts: 1 });
    const queued = await jobsFor(id);
    // The delivery's own job (still queued here: no runner in this test) and one per replay.
    expect(queued.map((j) => j.uniqueKey).sort()).toEqual([webhookJobKey(id), webhookReplayJobKey(id, new Date(1_000)), webhookReplayJobKey(id, new Date(2_000))].sort());
    expect(webhookReplayJobKey(id, new Date(1_000))).toBe(`webhook:${id}:replay:1000`);
    expect(queued.every((j) => j.kind === "webhook.process" && j.status === "queued")).toBe(true);
    const entries = await ctx.get().db.select().from(auditLog).where(eq(auditLog.targetId, id));
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ action: "webhook.replayed", actorUserId: actor.id, targetType: "webhook_event", hubId });
    expect(entries[0]!.detail).toMatchObject({ previousStatus: "dead", event: "channel_live" });
  });

  it("refuses unknown ids and bodies that were never events, changing nothing", async () => {
    for (const id of [randomUUID(), "not-a-uuid"]) {
      const error = await replayWebhookEvent(actor, id).catch((e: unknown) => e);
      expect(isAppError(error) && error.code).toBe("not_found:webhook_event");
    }
    const { id } = await newEvent("k4", "ignored", "invalid");
    const error = await replayWebhookEvent(actor, id).catch((e: unknown) => e);
    expect(isAppError(error) && error.status).toBe(409);
    expect((await getWebhookEvent({ db: ctx.get().db, id }))?.status).toBe("ignored");
    expect(await jobsFor(id)).toHaveLength(0);
  });

  it("replays an event the processor ignored, once the portal may understand it", async () => {
    const { id } = await newEvent("k5", "pending", "cancellation_request");
    await setWebhookEventOutcome({ db: ctx.get().db, id, status: "ignored", lastError: "unknown event", processedAt: new Date() });
    const { jobId } = await replayWebhookEvent(actor, id);
    expect((await getWebhookEvent({ db: ctx.get().db, id }))?.status).toBe("pending");
    // The delivery's own job and the replay's.
    expect((await jobsFor(id)).map((j) => (j.id === jobId ? "replay" : j.uniqueKey)).sort()).toEqual(["replay", webhookJobKey(id)].sort());
  });

  it("marks the history lines a replay writes with when and by whom; the original line stays unmarked", async () => {
    const db = ctx.get().db;
    const { id } = await newEvent("k6", "pending", "channel_live");
    const [channel] = await db.insert(channels).values({ hubId, externalId: "replayCH", phoneNumber: "+4915100000066" }).returning();
    const occurredAt = new Date("2026-03-01T10:00:00Z");
    const line = { hubId, channelId: channel!.id, event: "channel_live", status: "running", source: "webhook", webhookEventId: id, occurredAt };
    await insertChannelEvent({ db, event: line });
    await setWebhookEventOutcome({ db, id, status: "done", processedAt: new Date() });
    await replayWebhookEvent(actor, id);
    expect(await getWebhookEvent({ db, id })).toMatchObject({ replayedBy: actor.email });
    await insertChannelEvent({ db, event: line });
    const timeline = await listChannelTimeline({ db, channelIds: [channel!.id] });
    expect(timeline).toHaveLength(2);
    expect(timeline.map((e) => e.occurredAt.toISOString())).toEqual([occurredAt.toISOString(), occurredAt.toISOString()]);
    expect(timeline[0]).toMatchObject({ replayedAt: null, replayedBy: null });
    expect(timeline[1]).toMatchObject({ replayedBy: actor.email });
    expect(timeline[1]!.replayedAt).toBeInstanceOf(Date);
    // A line from elsewhere (reconcile, no delivery) is never marked.
    await insertChannelEvent({ db, event: { ...line, source: "reconcile", webhookEventId: null } });
    expect((await listChannelTimeline({ db, channelIds: [channel!.id] })).at(-1)).toMatchObject({ replayedAt: null });
  });
});
