import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { findClientByExternalId } from "@/db/queries/client-store";
import { insertOnboardingSession } from "@/db/queries/onboarding";
import { getWebhookEvent, setWebhookEventOutcome } from "@/db/queries/webhook-events";
import { onboardingEvents, type Hub } from "@/db/schema";
import { createHub, setTestEnvironment, storeWebhook } from "@/test/support/channels";
import { forEachDatabase } from "@/test/db/databases";
import { applyWebhookEvent } from "./apply";

setTestEnvironment();

// The one module that applies a stored delivery: the parser's kind picks the features' appliers, all in one
// transaction with the inbox outcome. What each feature does is tested with the feature.

forEachDatabase("applying stored webhook deliveries", (ctx) => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await createHub(ctx.get().db);
  });

  it("records unknown events without effect, ignores bodies that are not events, and a template event for no known number", async () => {
    const { db } = ctx.get();
    const unknown = await storeWebhook(db, hub.id, { id: randomUUID(), event: "partner_mood_changed", data: { mood: "good" } });
    expect(await applyWebhookEvent(unknown, { db })).toMatchObject({ status: "done" });
    expect(await getWebhookEvent({ db, id: unknown })).toMatchObject({ status: "done", lastError: null, attempts: 1 });
    const template = await storeWebhook(db, hub.id, { id: randomUUID(), event: "waba_template_status_changed", data: { id: "t1", status: "approved" } });
    expect(await applyWebhookEvent(template, { db })).toMatchObject({ status: "ignored" });
    expect(await getWebhookEvent({ db, id: template })).toMatchObject({ status: "ignored", lastError: "template status for a number this portal does not know" });
    const notEvent = await storeWebhook(db, hub.id, { id: randomUUID(), nothing: true });
    expect(await applyWebhookEvent(notEvent, { db })).toMatchObject({ status: "ignored" });
  });

  it("skips an event already applied and answers missing for no such row", async () => {
    const { db } = ctx.get();
    const id = await storeWebhook(db, hub.id, { id: randomUUID(), event: "partner_mood_changed" });
    await setWebhookEventOutcome({ db, id, status: "done" });
    expect(await applyWebhookEvent(id, { db })).toMatchObject({ status: "skipped" });
    expect(await applyWebhookEvent(randomUUID(), { db })).toMatchObject({ status: "missing" });
  });

  it("runs the onboarding funnel after the channel's applier, in the same transaction", async () => {
    const { db } = ctx.get();
    const session = await insertOnboardingSession({
      db,
      session: {
        hubId: hub.id,
        method: "popup",
        stateHash: randomBytes(16).toString("hex"),
        browserBindingHash: randomBytes(16).toString("hex"),
        status: "completed",
        channelExternalIds: ["funnelCH"],
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    const kinds = async () => (await db.select().from(onboardingEvents).where(eq(onboardingEvents.sessionId, session.id))).map((e) => e.kind).sort();
    await applyWebhookEvent(await storeWebhook(db, hub.id, { id: randomUUID(), event: "channel_created", data: { id: "funnelCH", status: "created" } }), { db });
    expect(await kinds()).toEqual(["channel_created"]);
    // The funnel reads the status the channel's applier just wrote: channel_live carries "running" (a step on).
    expect(await applyWebhookEvent(await storeWebhook(db, hub.id, { id: randomUUID(), event: "channel_live", data: { id: "funnelCH", status: "running" } }), { db })).toMatchObject({
      status: "done",
      effect: "channel running",
    });
    expect(await kinds()).toEqual(["channel_created", "channel_running"]);
  });

  it("marks a failing event failed, and dead on the last attempt, and rolls its effects back", async () => {
    const { db } = ctx.get();
    // PostgreSQL text refuses NUL: the channel write fails after the client write, inside one transaction.
    const body = { id: randomUUID(), event: "channel_created", data: { id: "nulCH", client: { id: "nulCL", name: "Nul" }, setup_info: { phone_number: "+49\u0000" } } };
    const id = await storeWebhook(db, hub.id, body);
    await expect(applyWebhookEvent(id, { db })).rejects.toThrow();
    expect(await getWebhookEvent({ db, id })).toMatchObject({ status: "failed", attempts: 1 });
    expect(await findClientByExternalId({ db, hubId: hub.id, externalId: "nulCL" })).toBeUndefined();
    await expect(applyWebhookEvent(id, { db, finalAttempt: true })).rejects.toThrow();
    expect(await getWebhookEvent({ db, id })).toMatchObject({ status: "dead", attempts: 2 });
  });
});
