import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import { findPlatformEvent, listEventsOfSubject } from "@/db/queries/platform-events";
import { onboardingSessions, platformEvents, type Hub, type PlatformEvent } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { createHub, jobsOfKind, setTestEnvironment, storeWebhook } from "@/test/support/channels";
import { loadChannelResource } from "../api/resources";
import { storeClient } from "../channels/store-client";
import { announceStuckChannels } from "../channels/stuck-events";
import { expireAbandonedSessions } from "../onboarding/session-events";
import { applyWebhookEvent } from "../webhooks/apply";
import { eventDispatchHandlerWith } from "./dispatch";
import { emitEvent } from "./emit";
import { eventResourceSnapshot } from "../api/resources";

setTestEnvironment();

// The portal's own events (docs/events.md): recorded with the change that caused them, or not at all; derived from
// the rows, so each code path that moves a number or a client announces it; dispatched with the resource frozen
// as the REST API shows it.

forEachDatabase("platform events", (ctx) => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await createHub(ctx.get().db);
  });

  const typesOf = (events: PlatformEvent[]) => events.map((e) => e.type);

  it("commits with the change, and a rolled back change leaves neither the event nor its dispatch job", async () => {
    const { db } = ctx.get();
    const subjectId = randomUUID();
    await expect(
      db.transaction(async (tx) => {
        await emitEvent(tx, { type: "client.created", hubId: hub.id, subjectId });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await listEventsOfSubject({ db, subjectType: "client", subjectId })).toEqual([]);

    const event = await db.transaction((tx) => emitEvent(tx, { type: "client.created", hubId: hub.id, subjectId }));
    expect(event).not.toBeNull();
    expect((await jobsOfKind(db, "event.dispatch")).filter((j) => j.payload.eventId === event!.id)).toHaveLength(1);
  });

  it("a dedupe key records an occurrence once", async () => {
    const { db } = ctx.get();
    const key = `test:${randomUUID()}`;
    const first = await emitEvent(db, { type: "channel.stuck", hubId: hub.id, subjectId: randomUUID(), dedupeKey: key });
    const second = await emitEvent(db, { type: "channel.stuck", hubId: hub.id, subjectId: randomUUID(), dedupeKey: key });
    expect(first).not.toBeNull();
    expect(second).toBeNull();
    expect(await db.select().from(platformEvents).where(eq(platformEvents.dedupeKey, key))).toHaveLength(1);
  });

  it("a number's webhooks announce created, each status change and running, in order; a repeat announces nothing", async () => {
    const { db } = ctx.get();
    const externalId = `ev${randomBytes(4).toString("hex")}CH`;
    const deliver = async (event: string, status: string, at: string) =>
      applyWebhookEvent(await storeWebhook(db, hub.id, { id: randomUUID(), event, data: { id: externalId, status, modified_at: at, setup_info: { phone_number: "4915100000077" } } }), { db });
    await deliver("channel_created", "pending", "2026-11-01T00:00:00Z");
    await deliver("channel_running", "running", "2026-11-01T00:05:00Z");
    await deliver("channel_running", "running", "2026-11-01T00:05:00Z");
    const channel = (await findChannelByExternalId({ db, hubId: hub.id, externalId }))!;
    const events = await listEventsOfSubject({ db, subjectType: "channel", subjectId: channel.id });
    // channel_created keeps the placeholder's status "created"; a partner-payment hub grants the permission at once.
    expect(typesOf(events)).toEqual(["channel.created", "channel.permission_changed", "channel.status_changed", "channel.running"]);
    expect(events[1]!.data).toEqual({ from: "unknown", to: "granted" });
    expect(events[2]!.data).toEqual({ from: "created", to: "running" });
    expect(events.every((e) => e.hubId === hub.id)).toBe(true);
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
  });

  it("a client is announced when it is new, not when it is updated", async () => {
    const { db } = ctx.get();
    const externalId = `cl${randomBytes(4).toString("hex")}`;
    const first = await db.transaction((tx) => storeClient(tx, hub.id, { externalId, name: "Acme" }));
    await db.transaction((tx) => storeClient(tx, hub.id, { externalId, name: "Acme GmbH" }));
    expect(typesOf(await listEventsOfSubject({ db, subjectType: "client", subjectId: first.client.id }))).toEqual(["client.created"]);
  });

  it("dispatch freezes the resource as the API shows it, hands the event to every consumer, and keeps the first snapshot on a re-run", async () => {
    const { db } = ctx.get();
    const externalId = `dp${randomBytes(4).toString("hex")}CH`;
    await applyWebhookEvent(await storeWebhook(db, hub.id, { id: randomUUID(), event: "channel_running", data: { id: externalId, status: "running", modified_at: "2026-11-02T00:00:00Z" } }), { db });
    const channel = (await findChannelByExternalId({ db, hubId: hub.id, externalId }))!;
    const [created] = await listEventsOfSubject({ db, subjectType: "channel", subjectId: channel.id });
    const seen: string[] = [];
    const handler = eventDispatchHandlerWith({
      getDb: async () => db,
      snapshot: eventResourceSnapshot,
      consumers: [
        { name: "a", consume: async (e) => void seen.push(`a:${e.id}:${String(e.resource?.status)}`) },
        { name: "b", consume: async (e) => void seen.push(`b:${e.id}`) },
      ],
    });
    const job = { id: "j", kind: "event.dispatch" as const, attempt: 1, maxAttempts: 8, payload: { eventId: created!.id } };
    await handler(job);
    const dispatched = (await findPlatformEvent({ db, id: created!.id }))!;
    expect(dispatched.resource).toEqual(JSON.parse(JSON.stringify((await loadChannelResource(db, channel.id))!.resource)));
    expect(dispatched.dispatchedAt).not.toBeNull();
    expect(seen).toEqual([`a:${created!.id}:running`, `b:${created!.id}`]);

    // The number moves on; a second run of the same dispatch still carries the first snapshot.
    await db.update(platformEvents).set({ dispatchedAt: null }).where(eq(platformEvents.id, created!.id));
    await applyWebhookEvent(await storeWebhook(db, hub.id, { id: randomUUID(), event: "channel_status_changed", data: { id: externalId, status: "live", modified_at: "2026-11-03T00:00:00Z" } }), { db });
    await handler({ ...job, attempt: 2 });
    expect((await findPlatformEvent({ db, id: created!.id }))!.resource).toEqual(dispatched.resource);
  });

  it("a consumer that fails fails the dispatch, so the job is retried", async () => {
    const { db } = ctx.get();
    const event = (await emitEvent(db, { type: "client.created", hubId: hub.id, subjectId: randomUUID() }))!;
    const handler = eventDispatchHandlerWith({ getDb: async () => db, snapshot: async () => null, consumers: [{ name: "down", consume: async () => Promise.reject(new Error("receiver down")) }] });
    await expect(handler({ id: "j", kind: "event.dispatch", attempt: 1, maxAttempts: 8, payload: { eventId: event.id } })).rejects.toThrow("receiver down");
    expect((await findPlatformEvent({ db, id: event.id }))!.dispatchedAt).toBeNull();
  });

  it("an onboarding that never came back is expired and announced abandoned, once", async () => {
    const { db } = ctx.get();
    const [session] = await db
      .insert(onboardingSessions)
      .values({ hubId: hub.id, method: "popup", stateHash: randomUUID(), browserBindingHash: randomUUID(), expiresAt: new Date(Date.now() - 60_000) })
      .returning();
    const now = new Date();
    expect(await expireAbandonedSessions({ db, now })).toBeGreaterThanOrEqual(1);
    expect(await expireAbandonedSessions({ db, now })).toBe(0);
    const [row] = await db.select().from(onboardingSessions).where(eq(onboardingSessions.id, session!.id));
    expect(row!.status).toBe("expired");
    const events = await listEventsOfSubject({ db, subjectType: "onboarding_session", subjectId: session!.id });
    expect(events.map((e) => [e.type, e.data.reason])).toEqual([["onboarding.abandoned", "expired"]]);
  });

  describe("stuck numbers", () => {
    it("are announced once per number, rule and start of the occurrence", async () => {
      const { db } = ctx.get();
      const stuckHub = await createHub(db, { settings: { stuck: { notRunningHours: 1 } } });
      const externalId = `st${randomBytes(4).toString("hex")}CH`;
      await applyWebhookEvent(await storeWebhook(db, stuckHub.id, { id: randomUUID(), event: "channel_created", data: { id: externalId, status: "pending", modified_at: "2026-11-01T00:00:00Z" } }), { db });
      const channel = (await findChannelByExternalId({ db, hubId: stuckHub.id, externalId }))!;
      const later = new Date(channel.createdAt.getTime() + 49 * 3_600_000);
      expect(await announceStuckChannels({ db, now: later })).toBeGreaterThanOrEqual(1);
      await announceStuckChannels({ db, now: new Date(later.getTime() + 60_000) });
      const stuck = (await listEventsOfSubject({ db, subjectType: "channel", subjectId: channel.id })).filter((e) => e.type === "channel.stuck");
      expect(stuck.map((e) => e.data.rule)).toEqual(["not_running"]);
    });
  });
});
