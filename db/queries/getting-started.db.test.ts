import { randomUUID } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { channels, invites, webhookEvents, type Hub } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { onboardingWorld, partnerSpec } from "@/test/support/onboarding";
import { findFirstSteps } from "./getting-started";

forEachDatabase("getting-started first steps", (ctx) => {
  const world = onboardingWorld(ctx);
  let hub: Hub;
  let other: Hub;

  beforeAll(async () => {
    hub = await world.seedHub({ partner: partnerSpec("gsmine") });
    other = await world.seedHub({ partner: partnerSpec("gsother") });
  });

  it("sees each first step on the asked hubs only, and a number counts only once it runs", async () => {
    const db = world.db();
    const steps = () => findFirstSteps({ db, hubIds: [hub.id] });
    expect(await findFirstSteps({ db, hubIds: [] })).toEqual({ inviteCreated: false, numberRunning: false, webhookReceived: false });
    expect(await steps()).toEqual({ inviteCreated: false, numberRunning: false, webhookReceived: false });

    // Another hub's progress does not count.
    await db.insert(invites).values({ hubId: other.id, tokenHash: randomUUID(), label: "other", purpose: "new_number", prefill: {}, expiresAt: new Date(Date.now() + 86_400_000), createdBy: world.operator().id });
    await db.insert(channels).values({ hubId: other.id, externalId: `o-${randomUUID()}`, status: "running", statusRank: 50 });
    expect(await steps()).toEqual({ inviteCreated: false, numberRunning: false, webhookReceived: false });

    await db.insert(invites).values({ hubId: hub.id, tokenHash: randomUUID(), label: "mine", purpose: "new_number", prefill: {}, expiresAt: new Date(Date.now() + 86_400_000), createdBy: world.operator().id });
    await db.insert(channels).values({ hubId: hub.id, externalId: `m-${randomUUID()}`, status: "ready", statusRank: 40 });
    await db.insert(webhookEvents).values({ hubId: hub.id, dedupKey: randomUUID(), rawBody: "{}", signatureResult: "valid" });
    expect(await steps()).toEqual({ inviteCreated: true, numberRunning: false, webhookReceived: true });

    await db.insert(channels).values({ hubId: hub.id, externalId: `l-${randomUUID()}`, status: "live", statusRank: 60 });
    expect(await steps()).toEqual({ inviteCreated: true, numberRunning: true, webhookReceived: true });
  });
});
