import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/360dialog/[partnerId]/route";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import { countWaitingUnverified, unverifiedSummaries } from "@/db/queries/webhook-events";
import { updateHub } from "@/db/queries/hubs";
import { webhookEvents, type Hub } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { bindAppDatabase } from "@/test/db/use-as-app-db";
import { createHub, setTestEnvironment, startTestSandbox, type TestSandbox } from "@/test/support/channels";
import { forgetCachedHubs } from "../hub-config/cache";
import { signWebhookBody } from "../hub/webhook-signature";
import { applyWebhookEvent } from "./apply";
import { UNVERIFIED_WAITING_CAP } from "./ingest";

// docs/hub-settings.md §5: a delivery to a hub without a platform secret is stored unverified and turned into
// facts only by the Partner API's answer, through the real receiver, the real job code and a real sandbox hub.

setTestEnvironment();

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
  await sb.control("/partners", { id: "sandboxPA", apiKey: "sandbox-partner-key", platformSecret: "sandbox-platform-secret", webhookUrl: sb.webhookUrl });
  // Nothing the sandbox sends on its own reaches anyone: only the deliveries below exist.
  await sb.control("/faults", { dropDeliveries: 1 });
});
afterAll(async () => {
  await sb.close();
});

function deliver(partnerId: string, body: string, headers: Record<string, string> = {}) {
  const request = new Request(`http://127.0.0.1:3000/api/webhooks/360dialog/${partnerId}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  return POST(request, { params: Promise.resolve({ partnerId }) });
}

forEachDatabase("unverified partner deliveries (no platform secret)", (ctx) => {
  let hub: Hub;
  let restoreDb: () => void;
  beforeAll(async () => {
    restoreDb = bindAppDatabase(ctx.get());
    hub = await createHub(ctx.get().db, { url: sb.url, partnerId: "sandboxPA" });
    hub = (await updateHub({ db: ctx.get().db, id: hub.id, set: { platformSecretEnc: null } }))!;
    forgetCachedHubs();
  });
  afterAll(() => restoreDb());

  const rowOf = async (id: string) => (await ctx.get().db.select().from(webhookEvents).where(eq(webhookEvents.id, id)))[0]!;

  it("stores the claim, then believes only the Partner API: a 'running' lie leaves the number at what 360dialog says", async () => {
    const { db } = ctx.get();
    const { channelIds } = await sb.control<{ channelIds: string[] }>("/onboard", { partnerId: "sandboxPA", permission: true, email: `u-${randomUUID().slice(0, 6)}@client.test` });
    const channelId = channelIds[0]!;
    await sb.control(`/channels/${channelId}/status`, { status: "ready", event: null });

    const body = JSON.stringify({ id: randomUUID(), event: "channel_running", data: { id: channelId, status: "running" } });
    const res = await deliver("sandboxPA", body);
    expect(res.status).toBe(200);
    const [row] = await db.select().from(webhookEvents).where(eq(webhookEvents.channelExternalId, channelId));
    expect(row).toMatchObject({ signatureResult: "unsigned", status: "pending" });
    expect(await findChannelByExternalId({ db, hubId: hub.id, externalId: channelId })).toBeUndefined();
    expect(await countWaitingUnverified({ db, hubId: hub.id })).toBe(1);
    expect((await unverifiedSummaries({ db })).find((s) => s.hubId === hub.id)).toMatchObject({ waiting: 1 });

    const outcome = await applyWebhookEvent(row!.id, { db });
    expect(outcome.status).toBe("done");
    const channel = await findChannelByExternalId({ db, hubId: hub.id, externalId: channelId });
    // The delivery said running; 360dialog says ready, and that is what is stored.
    expect(channel?.status).toBe("ready");
    const after = await rowOf(row!.id);
    expect(after.status).toBe("done");
    expect(after.confirmation).toContain(`channel ${channelId} as ready`);
    expect(after.confirmedAt).toBeInstanceOf(Date);
    expect(await countWaitingUnverified({ db, hubId: hub.id })).toBe(0);

    // Now 360dialog moves it on; a second unverified delivery (any content) brings the real status.
    await sb.control(`/channels/${channelId}/status`, { status: "running", event: null });
    const again = JSON.stringify({ id: randomUUID(), event: "channel_submitted", data: { id: channelId } });
    expect((await deliver("sandboxPA", again)).status).toBe(200);
    const [second] = await db.select().from(webhookEvents).where(sql`${webhookEvents.channelExternalId} = ${channelId} and ${webhookEvents.status} = 'pending'`);
    await applyWebhookEvent(second!.id, { db });
    expect((await findChannelByExternalId({ db, hubId: hub.id, externalId: channelId }))?.status).toBe("running");
  });

  it("an account event names only a phone number: the number known by that phone is re-read, the violation not believed", async () => {
    const { db } = ctx.get();
    const phone = `+4916${String(Date.now()).slice(-9)}`;
    const { channelIds } = await sb.control<{ channelIds: string[] }>("/onboard", { partnerId: "sandboxPA", permission: true, phoneNumber: phone, email: `p-${randomUUID().slice(0, 6)}@client.test` });
    const channelId = channelIds[0]!;
    await sb.control(`/channels/${channelId}/status`, { status: "running", event: null });
    const first = JSON.stringify({ id: randomUUID(), event: "channel_created", data: { id: channelId } });
    expect((await deliver("sandboxPA", first)).status).toBe(200);
    const [created] = await db.select().from(webhookEvents).where(eq(webhookEvents.channelExternalId, channelId));
    await applyWebhookEvent(created!.id, { db });
    const known = await findChannelByExternalId({ db, hubId: hub.id, externalId: channelId });
    expect(known?.phoneNumber).toBeTruthy();

    const violation = JSON.stringify({ id: randomUUID(), event: "account_violation", data: { phone_number: known!.phoneNumber, violation_type: "SPAM" } });
    expect((await deliver("sandboxPA", violation)).status).toBe(200);
    const [row] = await db.select().from(webhookEvents).where(sql`${webhookEvents.rawBody} = ${violation}`);
    expect(row?.signatureResult).toBe("unsigned");
    expect((await applyWebhookEvent(row!.id, { db })).status).toBe("done");
    expect((await rowOf(row!.id)).confirmation).toContain(`channel ${channelId} as running`);
    // The signed path would mark the number restricted; an unverified claim does not.
    expect((await findChannelByExternalId({ db, hubId: hub.id, externalId: channelId }))?.restricted).toBe(false);
  });

  it("a channel the Partner API does not list: retried (failed), given up on the last attempt (ignored), nothing created", async () => {
    const { db } = ctx.get();
    const ghost = `ghost${randomUUID().slice(0, 8)}`;
    expect((await deliver("sandboxPA", JSON.stringify({ id: randomUUID(), event: "channel_running", data: { id: ghost, status: "running" } }))).status).toBe(200);
    const [row] = await db.select().from(webhookEvents).where(eq(webhookEvents.channelExternalId, ghost));
    await expect(applyWebhookEvent(row!.id, { db })).rejects.toThrow(/does not list channel/);
    expect((await rowOf(row!.id)).status).toBe("failed");
    expect((await unverifiedSummaries({ db })).find((s) => s.hubId === hub.id)?.lastError).toMatch(/does not list channel/);
    const last = await applyWebhookEvent(row!.id, { db, finalAttempt: true });
    expect(last.status).toBe("ignored");
    expect((await rowOf(row!.id)).confirmation).toMatch(/does not list channel/);
    expect(await findChannelByExternalId({ db, hubId: hub.id, externalId: ghost })).toBeUndefined();
  });

  it("a wrong signature stays refused once the secret is saved, and no unsigned row is added", async () => {
    const { db } = ctx.get();
    const { sealPlatformSecret } = await import("../hub-config/secrets");
    const before = (await db.select().from(webhookEvents).where(eq(webhookEvents.hubId, hub.id))).length;
    await updateHub({ db, id: hub.id, set: { platformSecretEnc: sealPlatformSecret(hub.id, "sandbox-platform-secret") } });
    forgetCachedHubs();
    const body = JSON.stringify({ id: randomUUID(), event: "channel_running", data: { id: "x" } });
    expect((await deliver("sandboxPA", body, { "x-360dialog-signature": signWebhookBody(body, "wrong-secret") })).status).toBe(401);
    expect((await deliver("sandboxPA", body)).status).toBe(401);
    expect((await deliver("sandboxPA", body, { "x-360dialog-signature": signWebhookBody(body, "sandbox-platform-secret") })).status).toBe(200);
    const rows = await db.select().from(webhookEvents).where(eq(webhookEvents.hubId, hub.id));
    expect(rows.length).toBe(before + 1);
    expect(rows.find((r) => r.rawBody === body)?.signatureResult).toBe("valid");
    await updateHub({ db, id: hub.id, set: { platformSecretEnc: null } });
    forgetCachedHubs();
  });

  it(`caps the unverified deliveries waiting per hub at ${UNVERIFIED_WAITING_CAP}: past it, 503 and nothing stored`, async () => {
    const { db } = ctx.get();
    const waiting = await countWaitingUnverified({ db, hubId: hub.id });
    await db.execute(sql`
      insert into webhook_events (hub_id, dedup_key, event, raw_body, signature_result, status)
      select ${hub.id}::uuid, 'flood:' || g, 'channel_running', '{}', 'unsigned', 'pending'
      from generate_series(1, ${UNVERIFIED_WAITING_CAP - waiting}) g`);
    const res = await deliver("sandboxPA", JSON.stringify({ id: randomUUID(), event: "channel_running", data: { id: "flood" } }));
    expect(res.status).toBe(503);
    expect(await countWaitingUnverified({ db, hubId: hub.id })).toBe(UNVERIFIED_WAITING_CAP);
    await db.execute(sql`delete from webhook_events where hub_id = ${hub.id}::uuid and dedup_key like 'flood:%'`);
  });
});
