import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { findChannelByExternalId } from "@/db/queries/channels";
import { channelEvents, type Hub } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { applyWebhookEvent } from "../webhooks/apply";
import { createHub, setTestEnvironment, storeWebhook } from "./test-support";

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
});
