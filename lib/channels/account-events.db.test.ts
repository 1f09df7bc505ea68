import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import { channelEvents, webhookEvents, type Hub } from "@/db/schema";
import { signalChangeWords } from "./signal-history";
import { forEachDatabase } from "@/test/db/databases";
import { externalIdsOf, parseWebhookEvent } from "../hub/events";
import { applyWebhookEvent } from "../webhooks/apply";
import { createHub, setTestEnvironment, storeWebhook } from "@/test/support/channels";

setTestEnvironment();

// Account events as the partner webhook delivers them: stored as the receiver stores them, applied as the job does.

forEachDatabase("account events on a number", (ctx) => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await createHub(ctx.get().db);
  });

  it("flags a restriction on the number named by its phone number, and ignores numbers the portal does not know", async () => {
    const { db } = ctx.get();
    await applyWebhookEvent(await storeWebhook(db, hub.id, { id: randomUUID(), event: "channel_created", data: { id: "flagCH", setup_info: { phone_number: "+4915122222222" } } }), { db });
    const violation = await storeWebhook(db, hub.id, { id: randomUUID(), event: "account_violation", data: { phone_number: "4915122222222", violation_type: "SPAM" } });
    expect(await applyWebhookEvent(violation, { db })).toMatchObject({ status: "done", effect: "channel restricted (account_violation)" });
    const flagged = await findChannelByExternalId({ db, hubId: hub.id, externalId: "flagCH" });
    expect(flagged?.restricted).toBe(true);
    expect(flagged?.flags).toMatchObject({ account_violation: { type: "SPAM" } });
    const history = await db.select().from(channelEvents).where(eq(channelEvents.channelId, flagged!.id));
    expect(history.map((h) => [h.event, h.webhookEventId])).toContainEqual(["account_violation", violation]);

    const stranger = await storeWebhook(db, hub.id, { id: randomUUID(), event: "account_restriction", data: { phone_number: "+1000" } });
    expect(await applyWebhookEvent(stranger, { db })).toMatchObject({ status: "ignored" });
  });

  it("keeps Meta's phone_number_quality_update on the number: the newest signal in its flags, every one in its history", async () => {
    const { db } = ctx.get();
    await applyWebhookEvent(await storeWebhook(db, hub.id, { id: randomUUID(), event: "channel_created", data: { id: "qualCH", setup_info: { phone_number: "+4915133333333" } } }), { db });
    const body = (value: Record<string, unknown>) => ({ id: randomUUID(), event: "phone_number_quality_update", data: value });

    // The protocol parser's reading: Meta's change value as `data`, or a whole change `{ field, value }`.
    const flagged = body({ display_phone_number: "4915133333333", event: "FLAGGED", current_limit: "TIER_1K" });
    expect(parseWebhookEvent(flagged)).toMatchObject({ kind: "quality", phoneNumber: "4915133333333", qualityEvent: "FLAGGED", currentLimit: "TIER_1K" });
    const wrapped = body({ field: "phone_number_quality_update", value: { channel_id: "qualCH", event: "DOWNGRADE", current_limit: "TIER_250", old_limit: "TIER_1K" } });
    expect(externalIdsOf(parseWebhookEvent(wrapped))).toEqual({ channelId: "qualCH" });

    const older = await storeWebhook(db, hub.id, flagged);
    const newer = await storeWebhook(db, hub.id, wrapped);
    await db.update(webhookEvents).set({ receivedAt: new Date(Date.now() - 3_600_000) }).where(eq(webhookEvents.id, older));
    expect(await applyWebhookEvent(newer, { db })).toMatchObject({ status: "done", effect: "channel DOWNGRADE, limit TIER_250" });
    // Delivered late: recorded, but the newer signal stays.
    expect(await applyWebhookEvent(older, { db })).toMatchObject({ status: "done", effect: expect.stringContaining("history only") });
    const channel = await findChannelByExternalId({ db, hubId: hub.id, externalId: "qualCH" });
    expect(channel?.flags).toMatchObject({ quality: { event: "DOWNGRADE", currentLimit: "TIER_250", oldLimit: "TIER_1K" } });
    expect(channel?.restricted).toBe(false);
    const history = await db.select().from(channelEvents).where(eq(channelEvents.channelId, channel!.id));
    expect(history.filter((h) => h.event === "phone_number_quality_update").map((h) => [h.webhookEventId, h.data]).sort()).toEqual(
      [
        [newer, { event: "DOWNGRADE", currentLimit: "TIER_250", oldLimit: "TIER_1K" }],
        [older, { event: "FLAGGED", currentLimit: "TIER_1K", oldLimit: null }],
      ].sort(),
    );
    // The limit's change has a history row of its own (docs/channel-lifecycle.md §3); the late, older one adds none.
    expect(history.filter((h) => h.event === "messaging_limit_changed").map((h) => [h.webhookEventId, h.data])).toEqual([[newer, { from: null, to: "TIER_250" }]]);

    // A channel object with a new rating and tier (a partner channel event, or reconcile) records both changes.
    const update = { id: randomUUID(), event: "channel_updated", data: { id: "qualCH", current_quality_rating: "yellow", current_limit: "TIER_1K", modified_at: new Date(Date.now() + 60_000).toISOString() } };
    await applyWebhookEvent(await storeWebhook(db, hub.id, update), { db });
    const after = await db.select().from(channelEvents).where(eq(channelEvents.channelId, channel!.id));
    expect(after.filter((h) => h.event === "quality_rating_changed").map((h) => h.data)).toEqual([{ from: null, to: "YELLOW" }]);
    expect(after.filter((h) => h.event === "messaging_limit_changed").map((h) => h.data)).toEqual([{ from: null, to: "TIER_250" }, { from: "TIER_250", to: "TIER_1K" }]);
    expect(signalChangeWords("messaging_limit_changed", { from: "TIER_250", to: "TIER_1K" })).toBe("Messaging limit TIER_250 → TIER_1K");

    const stranger = await storeWebhook(db, hub.id, body({ display_phone_number: "1000", event: "FLAGGED" }));
    expect(await applyWebhookEvent(stranger, { db })).toMatchObject({ status: "ignored" });
  });
});
