import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import { claimJobs } from "@/db/queries/jobs";
import { listEventsOfSubject } from "@/db/queries/platform-events";
import { auditLog, jobs, outboundAttempts, outboundDeliveries, platformEvents, webhookEndpoints, type Hub, type User } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { setTestAppEnv } from "@/test/db/use-as-app-db";
import { createHub, createUser, storeWebhook } from "@/test/support/channels";
import { sameHandlerForEveryKind } from "@/test/support/jobs";
import { startWebhookReceiver, type TestWebhookReceiver } from "@/test/support/webhook-receiver";
import { eventResourceSnapshot, loadChannelResource } from "../api/resources";
import { eventDispatchHandlerWith } from "../events/dispatch";
import { emitEvent } from "../events/emit";
import { createJobRunner } from "../jobs/runner";
import { applyWebhookEvent } from "../webhooks/apply";
import { attemptDelivery, outboundConsumer, outboundDeliverHandlerWith } from "./deliver";
import { createEndpoint, replayDelivery, replaySince, rotateEndpointSecret, sendTestEvent, updateEndpoint } from "./endpoints";
import { postSigned } from "./post";
import { resolvePublicAddresses } from "./url";

// Outbound webhooks (docs/outbound-webhooks.md) on both engines, against a real local HTTP receiver: fan-out,
// Standard Webhooks signatures checked with the specification's own library, retry, order per resource, SSRF
// refusal, dead deliveries and disabled endpoints, replay, and a worker that dies mid-delivery.

setTestAppEnv({ LOG_LEVEL: "silent", OUTBOUND_ALLOW_PRIVATE: "1" });

const DAY = 86_400_000;
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

forEachDatabase("outbound webhooks", (ctx) => {
  let hub: Hub;
  let otherHub: Hub;
  let admin: User;
  let receiver: TestWebhookReceiver;
  const actor = () => ({ id: admin.id, email: admin.email });

  beforeAll(async () => {
    const { db } = ctx.get();
    hub = await createHub(db);
    otherHub = await createHub(db);
    admin = await createUser(db, "admin");
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => receiver?.close());
  beforeEach(async () => {
    const { db } = ctx.get();
    // Each test has its own endpoints; the ones of earlier tests must not take part.
    await db.update(webhookEndpoints).set({ enabled: false }).where(eq(webhookEndpoints.enabled, true));
    receiver.received.length = 0;
    receiver.answers = [];
    receiver.fallback = 200;
    receiver.hang = false;
    receiver.retryAfter = null;
  });

  async function dispatch(db: Database, eventId: string): Promise<void> {
    const handler = eventDispatchHandlerWith({ getDb: async () => db, snapshot: eventResourceSnapshot, consumers: [outboundConsumer(async () => db)] });
    await handler({ id: "j", kind: "event.dispatch", attempt: 1, maxAttempts: 8, payload: { eventId } });
  }
  async function emitAndDispatch(db: Database, input: Parameters<typeof emitEvent>[1]) {
    const event = (await emitEvent(db, input))!;
    await dispatch(db, event.id);
    return event;
  }
  const deliveriesOf = (db: Database, endpointId: string) => db.select().from(outboundDeliveries).where(eq(outboundDeliveries.endpointId, endpointId)).orderBy(outboundDeliveries.eventSeq);
  const bodies = () => receiver.received.map((r) => JSON.parse(r.body) as { id: string; type: string; data: Record<string, unknown> });

  it("fans a public event out to each matching endpoint once, by type and hub; internal events never leave", async () => {
    const { db } = ctx.get();
    const all = await createEndpoint(actor(), { url: receiver.url }, { db });
    const onlyTemplates = await createEndpoint(actor(), { url: receiver.url, eventTypes: ["template.status_changed"] }, { db });
    const otherHubOnly = await createEndpoint(actor(), { url: receiver.url, hubId: otherHub.id }, { db });
    const event = await emitAndDispatch(db, { type: "client.created", hubId: hub.id, subjectId: randomUUID() });
    await dispatch(db, event.id); // a re-run dispatch adds nothing
    await emitAndDispatch(db, { type: "outbound.endpoint_disabled", hubId: hub.id, subjectId: all.endpoint.id });
    expect(await deliveriesOf(db, all.endpoint.id)).toHaveLength(1);
    expect(await deliveriesOf(db, onlyTemplates.endpoint.id)).toHaveLength(0);
    expect(await deliveriesOf(db, otherHubOnly.endpoint.id)).toHaveLength(0);
    const [delivery] = await deliveriesOf(db, all.endpoint.id);
    expect(delivery).toMatchObject({ eventId: event.id, messageId: event.id, status: "pending", eventType: "client.created" });
    const queued = await db.select().from(jobs).where(and(eq(jobs.kind, "outbound.deliver"), sql`${jobs.payload}->>'deliveryId' = ${delivery!.id}`));
    expect(queued).toHaveLength(1);
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.action, "webhook_endpoint.created"), eq(auditLog.targetId, all.endpoint.id)));
    expect(audits).toHaveLength(1);
    // The stored secret is sealed, never the plaintext.
    const [stored] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, all.endpoint.id));
    expect(stored!.secretEnc).not.toContain(all.secret.slice(6));
  });

  it("posts the Standard Webhooks envelope with the API's resource, verified by the standardwebhooks library, and signs with both secrets during a rotation", async () => {
    const { db } = ctx.get();
    const { endpoint, secret } = await createEndpoint(actor(), { url: receiver.url }, { db });
    const externalId = `ob${randomBytes(4).toString("hex")}CH`;
    await applyWebhookEvent(await storeWebhook(db, hub.id, { id: randomUUID(), event: "channel_running", data: { id: externalId, status: "running", modified_at: "2026-11-02T00:00:00Z" } }), { db });
    const channel = (await findChannelByExternalId({ db, hubId: hub.id, externalId }))!;
    const events = await listEventsOfSubject({ db, subjectType: "channel", subjectId: channel.id });
    for (const e of events) await dispatch(db, e.id);
    for (const d of await deliveriesOf(db, endpoint.id)) expect(await attemptDelivery(d.id, { db })).toBe("delivered");
    expect(receiver.received).toHaveLength(events.length);
    const first = receiver.received[0]!;
    const verified = new Webhook(secret).verify(first.body, first.headers as Record<string, string>) as { id: string; type: string; timestamp: string; data: { object: unknown } };
    expect(verified.id).toBe(events[0]!.id);
    expect(first.headers["webhook-id"]).toBe(events[0]!.id);
    expect(verified.type).toBe(events[0]!.type);
    expect(verified.data.object).toEqual(JSON.parse(JSON.stringify((await loadChannelResource(db, channel.id))!.resource)));
    // A body changed in transit does not verify.
    expect(() => new Webhook(secret).verify(first.body.replace("channel", "chanel"), first.headers as Record<string, string>)).toThrow();

    const rotated = await rotateEndpointSecret(actor(), endpoint.id, { overlapHours: 24 }, { db });
    const test = await sendTestEvent(actor(), endpoint.id, { db });
    expect(await attemptDelivery(test.deliveryId, { db })).toBe("delivered");
    const last = receiver.received.at(-1)!;
    expect(String(last.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(new Webhook(rotated.secret).verify(last.body, last.headers as Record<string, string>)).toMatchObject({ type: "webhook.test" });
    expect(new Webhook(secret).verify(last.body, last.headers as Record<string, string>)).toMatchObject({ type: "webhook.test" });
    // Without an overlap the old secret stops at once.
    const again = await rotateEndpointSecret(actor(), endpoint.id, { overlapHours: 0 }, { db });
    const test2 = await sendTestEvent(actor(), endpoint.id, { db });
    await attemptDelivery(test2.deliveryId, { db });
    const newest = receiver.received.at(-1)!;
    expect(() => new Webhook(rotated.secret).verify(newest.body, newest.headers as Record<string, string>)).toThrow();
    expect(new Webhook(again.secret).verify(newest.body, newest.headers as Record<string, string>)).toMatchObject({ type: "webhook.test" });
  });

  it("retries after a 500 on its own backoff schedule and delivers on the 200, logging both attempts", async () => {
    const { db } = ctx.get();
    const { endpoint } = await createEndpoint(actor(), { url: receiver.url }, { db });
    await emitAndDispatch(db, { type: "client.created", hubId: hub.id, subjectId: randomUUID() });
    const [delivery] = await deliveriesOf(db, endpoint.id);
    receiver.answers = [500];
    const t0 = new Date();
    expect(await attemptDelivery(delivery!.id, { db, now: () => t0, random: () => 0.5 })).toBe("retry");
    const afterFirst = (await deliveriesOf(db, endpoint.id))[0]!;
    expect(afterFirst).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500 });
    expect(afterFirst.nextAttemptAt.getTime()).toBe(t0.getTime() + 5_000);
    // Not due yet: nothing is sent.
    expect(await attemptDelivery(delivery!.id, { db, now: () => new Date(t0.getTime() + 1_000) })).toBe("skipped");
    expect(await attemptDelivery(delivery!.id, { db, now: () => afterFirst.nextAttemptAt })).toBe("delivered");
    expect(receiver.received.map((r) => r.headers["webhook-id"])).toEqual([delivery!.messageId, delivery!.messageId]);
    const log = await db.select().from(outboundAttempts).where(eq(outboundAttempts.deliveryId, delivery!.id)).orderBy(outboundAttempts.id);
    expect(log.map((a) => [a.statusCode, a.requestId, a.error === null])).toEqual([[500, "rcv-1", false], [200, "rcv-2", true]]);
    expect(log[0]!.nextAttemptAt).toEqual(afterFirst.nextAttemptAt);
  });

  it("delivers in order per resource: a later event of the same subject waits while an earlier one is undelivered", async () => {
    const { db } = ctx.get();
    const { endpoint } = await createEndpoint(actor(), { url: receiver.url }, { db });
    const subjectId = randomUUID();
    const other = await emitAndDispatch(db, { type: "client.created", hubId: hub.id, subjectId: randomUUID() });
    const e1 = await emitAndDispatch(db, { type: "channel.created", hubId: hub.id, subjectId });
    const e2 = await emitAndDispatch(db, { type: "channel.running", hubId: hub.id, subjectId });
    const [dOther, d1, d2] = await deliveriesOf(db, endpoint.id);
    receiver.answers = [503];
    const t0 = new Date();
    expect(await attemptDelivery(d1!.id, { db, now: () => t0 })).toBe("retry");
    expect(await attemptDelivery(d2!.id, { db, now: () => t0 })).toBe("waiting");
    // Another resource is not held back.
    expect(await attemptDelivery(dOther!.id, { db, now: () => t0 })).toBe("delivered");
    const retryAt = (await deliveriesOf(db, endpoint.id)).find((d) => d.id === d1!.id)!.nextAttemptAt;
    expect(await attemptDelivery(d1!.id, { db, now: () => retryAt })).toBe("delivered");
    expect(await attemptDelivery(d2!.id, { db, now: () => retryAt })).toBe("delivered");
    expect(bodies().map((b) => b.id)).toEqual([e1.id, other.id, e1.id, e2.id]);
    // The end of the first woke the second: a job due at once.
    const woken = await db.select().from(jobs).where(and(eq(jobs.kind, "outbound.deliver"), sql`${jobs.payload}->>'deliveryId' = ${d2!.id}`, sql`${jobs.runAt} <= ${retryAt.toISOString()}::timestamptz`));
    expect(woken.length).toBeGreaterThanOrEqual(1);
  });

  it("gives up after 3 days (dead + outbound.delivery_dead) and disables an endpoint failing for 3 days (+ outbound.endpoint_disabled); enabling it again resumes", async () => {
    const { db } = ctx.get();
    const { endpoint } = await createEndpoint(actor(), { url: receiver.url }, { db });
    await emitAndDispatch(db, { type: "client.created", hubId: hub.id, subjectId: randomUUID() });
    const [delivery] = await deliveriesOf(db, endpoint.id);
    receiver.fallback = 500;
    let now = new Date();
    const start = now.getTime();
    let outcome = "";
    for (let i = 0; i < 40 && outcome !== "dead"; i++) {
      outcome = await attemptDelivery(delivery!.id, { db, now: () => now });
      now = (await deliveriesOf(db, endpoint.id))[0]!.nextAttemptAt;
    }
    expect(outcome).toBe("dead");
    const dead = (await deliveriesOf(db, endpoint.id))[0]!;
    expect(dead.status).toBe("dead");
    const log = await db.select().from(outboundAttempts).where(eq(outboundAttempts.deliveryId, delivery!.id));
    const lastAt = Math.max(...log.map((a) => a.attemptedAt.getTime()));
    expect(lastAt - start).toBeLessThanOrEqual(3 * DAY);
    expect(lastAt - start).toBeGreaterThan(2 * DAY);
    expect(log.length).toBeGreaterThan(8);
    const internal = await listEventsOfSubject({ db, subjectType: "webhook_endpoint", subjectId: endpoint.id });
    expect(internal.map((e) => e.type)).toContain("outbound.delivery_dead");
    // The endpoint failed for more than 2 days; one more failing event after the 3rd day disables it.
    await emitAndDispatch(db, { type: "client.created", hubId: hub.id, subjectId: randomUUID() });
    const [, second] = await deliveriesOf(db, endpoint.id);
    expect(await attemptDelivery(second!.id, { db, now: () => new Date(start + 3 * DAY + 60_000) })).toBe("retry");
    const [disabled] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(disabled).toMatchObject({ enabled: false });
    expect(disabled!.disabledReason).toMatch(/failed for 3 days/);
    expect((await listEventsOfSubject({ db, subjectType: "webhook_endpoint", subjectId: endpoint.id })).map((e) => e.type)).toContain("outbound.endpoint_disabled");
    // Disabled: nothing is attempted.
    receiver.fallback = 200;
    const sent = receiver.received.length;
    expect(await attemptDelivery(second!.id, { db, now: () => new Date(start + 4 * DAY) })).toBe("skipped");
    expect(receiver.received).toHaveLength(sent);
    await updateEndpoint(actor(), endpoint.id, { enabled: true }, { db });
    expect(await attemptDelivery(second!.id, { db, now: () => new Date(start + 4 * DAY) })).toBe("delivered");
  });

  it("honours a longer Retry-After, and a 410 Gone disables the endpoint at once", async () => {
    const { db } = ctx.get();
    const { endpoint } = await createEndpoint(actor(), { url: receiver.url }, { db });
    await emitAndDispatch(db, { type: "client.created", hubId: hub.id, subjectId: randomUUID() });
    const [d] = await deliveriesOf(db, endpoint.id);
    receiver.answers = [503];
    receiver.retryAfter = "120";
    const t0 = new Date();
    expect(await attemptDelivery(d!.id, { db, now: () => t0, random: () => 0.5 })).toBe("retry");
    expect((await deliveriesOf(db, endpoint.id))[0]!.nextAttemptAt.getTime()).toBe(t0.getTime() + 120_000);
    receiver.retryAfter = null;
    receiver.answers = [410];
    expect(await attemptDelivery(d!.id, { db, now: () => new Date(t0.getTime() + 120_000) })).toBe("retry");
    const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(row).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/410 Gone/) });
  });

  it("replays one delivery and everything since a time, with the same webhook-id, audited", async () => {
    const { db } = ctx.get();
    const { endpoint } = await createEndpoint(actor(), { url: receiver.url, eventTypes: ["client.created"] }, { db });
    const a = await emitAndDispatch(db, { type: "client.created", hubId: hub.id, subjectId: randomUUID() });
    const since = (await db.select().from(platformEvents).where(eq(platformEvents.id, a.id)))[0]!.occurredAt;
    await emitAndDispatch(db, { type: "channel.created", hubId: hub.id, subjectId: randomUUID() });
    const [d] = await deliveriesOf(db, endpoint.id);
    expect(await attemptDelivery(d!.id, { db })).toBe("delivered");
    await replayDelivery(actor(), endpoint.id, d!.id, { db });
    expect(await attemptDelivery(d!.id, { db })).toBe("delivered");
    const result = await replaySince(actor(), endpoint.id, since, { db });
    expect(result).toEqual({ queued: 1, truncated: false }); // the channel event is not subscribed
    expect(await attemptDelivery(d!.id, { db })).toBe("delivered");
    expect(receiver.received.map((r) => r.headers["webhook-id"])).toEqual([a.id, a.id, a.id]);
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.action, "webhook_endpoint.replayed"), eq(auditLog.targetId, endpoint.id)));
    expect(audits).toHaveLength(2);
  });

  describe("SSRF", () => {
    it("refuses private, loopback and link-local targets at save and at delivery unless OUTBOUND_ALLOW_PRIVATE is set", async () => {
      const { db } = ctx.get();
      const { endpoint } = await createEndpoint(actor(), { url: receiver.url }, { db });
      setTestAppEnv({ LOG_LEVEL: "silent", OUTBOUND_ALLOW_PRIVATE: "0" });
      try {
        for (const url of [receiver.url, "http://localhost:8080/x", "http://10.1.2.3/x", "http://169.254.169.254/latest", "http://[::1]/x", "http://[fd00::1]/x", "http://[::ffff:127.0.0.1]/x", "http://192.168.1.1/"]) {
          await expect(createEndpoint(actor(), { url }, { db }), url).rejects.toMatchObject({ code: "invalid:webhook_endpoint", fieldErrors: { url: [expect.stringMatching(/private|localhost/)] } });
        }
        // A name is resolved and every address checked (localhost through the resolver, not by its name).
        await expect(resolvePublicAddresses("localhost", false)).rejects.toThrow(/refused/);
        // At delivery time: the stored endpoint now points at a private address, so no request leaves.
        await emitAndDispatch(db, { type: "client.created", hubId: hub.id, subjectId: randomUUID() });
        const [d] = await deliveriesOf(db, endpoint.id);
        expect(await attemptDelivery(d!.id, { db })).toBe("retry");
        expect(receiver.received).toHaveLength(0);
        const [attempt] = await db.select().from(outboundAttempts).where(eq(outboundAttempts.deliveryId, d!.id));
        expect(attempt!.error).toMatch(/private, loopback or link-local address; refused/);
        expect(await postSigned({ url: receiver.url, headers: {}, body: "{}", timeoutMs: 1_000, allowPrivate: false })).toMatchObject({ status: null, error: expect.stringMatching(/refused/) });
      } finally {
        setTestAppEnv({ LOG_LEVEL: "silent", OUTBOUND_ALLOW_PRIVATE: "1" });
      }
    });

    it("refuses plain http in production and follows no redirect", async () => {
      const { db } = ctx.get();
      setTestAppEnv({ LOG_LEVEL: "silent", OUTBOUND_ALLOW_PRIVATE: "1", NODE_ENV: "production" });
      try {
        await expect(createEndpoint(actor(), { url: receiver.url }, { db })).rejects.toMatchObject({ fieldErrors: { url: [expect.stringMatching(/https/)] } });
      } finally {
        setTestAppEnv({ LOG_LEVEL: "silent", OUTBOUND_ALLOW_PRIVATE: "1", NODE_ENV: "test" });
      }
      receiver.answers = [302];
      const result = await postSigned({ url: receiver.url, headers: {}, body: "{}", timeoutMs: 1_000, allowPrivate: true });
      expect(result).toMatchObject({ status: 302, error: expect.stringMatching(/redirects are not followed/) });
    });
  });

  it("a worker stopped mid-delivery and a new one started deliver every event, none twice with different ids", async () => {
    const { db } = ctx.get();
    const { endpoint, secret } = await createEndpoint(actor(), { url: receiver.url }, { db });
    const subjectId = randomUUID();
    const emitted = [];
    for (const type of ["channel.created", "channel.status_changed", "channel.running"] as const) emitted.push(await emitAndDispatch(db, { type, hubId: hub.id, subjectId }));
    const deliveries = await deliveriesOf(db, endpoint.id);
    // The old worker claims the delivery jobs and dies while the first request is out (the receiver got it).
    const claimed = await claimJobs({ db, workerId: "crashed", limit: 100, leaseSeconds: 30 });
    expect(claimed.filter((j) => j.kind === "outbound.deliver").length).toBeGreaterThanOrEqual(3);
    void attemptDelivery(deliveries[0]!.id, { db, post: async (input) => (await postSigned(input), new Promise<never>(() => {})) });
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => receiver.received.length > 0 && (clearInterval(tick), resolve()), 5);
    });
    // Its job leases and its hold on the delivery run out.
    await db.execute(sql`update jobs set locked_until = now() - interval '1 second' where locked_by = 'crashed'`);
    await db.execute(sql`update outbound_deliveries set locked_until = now() - interval '1 second' where endpoint_id = ${endpoint.id}`);
    const handlers = { ...sameHandlerForEveryKind(async () => {}), "outbound.deliver": outboundDeliverHandlerWith(async () => db) };
    const runner = createJobRunner({ getDb: () => db, handlers, concurrency: 4, pollMs: 60_000, leaseSeconds: 30, workerId: "fresh", log: silent });
    const deadline = Date.now() + 20_000;
    while ((await deliveriesOf(db, endpoint.id)).some((d) => d.status !== "delivered")) {
      if (Date.now() > deadline) throw new Error("the new worker did not deliver everything");
      if ((await runner.runOnce()) === 0) await db.execute(sql`update jobs set run_at = now() where kind = 'outbound.deliver' and status = 'queued'`);
    }
    const seen = receiver.received.map((r) => ({ id: String(r.headers["webhook-id"]), body: new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { id: string } }));
    // Every request's webhook-id is its event's id, so a repeat is a repeat; every event arrived; in order per subject.
    expect(seen.every((s) => s.id === s.body.id)).toBe(true);
    expect([...new Set(seen.map((s) => s.id))]).toEqual(emitted.map((e) => e.id));
    expect(seen.length).toBeLessThanOrEqual(emitted.length + 1);
    const rows = await db.select().from(platformEvents).where(eq(platformEvents.subjectId, subjectId));
    expect(rows).toHaveLength(3);
  });
});
