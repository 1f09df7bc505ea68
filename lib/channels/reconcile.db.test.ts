import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { listChannelsOfHub } from "@/db/queries/channel-store";
import { listClientsOfHub } from "@/db/queries/client-store";
import { auditLog, channelEvents, type Hub, type User } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { statusRank } from "../hub/events";
import { applyWebhookEvent } from "../webhooks/apply";
import { reconcileHub, requestReconcile } from "./reconcile";
import { createHub, createUser, jobsOfKind, startTestSandbox, storeWebhook, setTestEnvironment, type TestSandbox } from "@/test/support/channels";

setTestEnvironment();

type SandboxState = {
  clients: { id: string; name: string; partner_payload: string | null; contact_info: { email: string } }[];
  channels: { id: string; partner_id: string; client_id: string; status: string; setup_info: { phone_number: string; phone_name: string }; permitted: boolean }[];
};

let sb: TestSandbox;
const DIRECT = { id: "directPA", apiKey: "direct-partner-key", platformSecret: "direct-platform-secret" };

beforeAll(async () => {
  sb = await startTestSandbox();
  await sb.control("/partners", { id: "sandboxPA", apiKey: "sandbox-partner-key", platformSecret: "sandbox-platform-secret", webhookUrl: sb.webhookUrl });
  await sb.control("/partners", { ...DIRECT, name: "Direct", paymentMode: "direct", webhookUrl: sb.webhookUrl });
  // docs/security.md R9: every partner webhook is lost.
  await sb.control("/faults", { dropDeliveries: 1 });
});

afterAll(async () => {
  await sb.close();
});

/** A scripted onboarding: four clients, six numbers, some held at earlier or unknown statuses. */
async function onboardScript(partnerId: string, tag: string): Promise<string[]> {
  const channelIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const first = await sb.control<{ clientId: string; channelIds: string[] }>("/onboard", {
      partnerId,
      permission: true,
      email: `c${i}-${tag}@client.test`,
      companyName: `Client ${i} ${tag}`,
      partnerPayload: `crm-${tag}-${i}`,
    });
    channelIds.push(...first.channelIds);
    if (i < 2) channelIds.push(...(await sb.control<{ channelIds: string[] }>("/onboard", { partnerId, clientId: first.clientId, permission: true })).channelIds);
  }
  await sb.control(`/channels/${channelIds[1]}/status`, { status: "ready", event: null });
  await sb.control(`/channels/${channelIds[2]}/status`, { status: "verified", event: null });
  await sb.control(`/channels/${channelIds[3]}/status`, { status: "error", event: null });
  return channelIds;
}

forEachDatabase("reconciliation against the sandbox hub (R9)", (ctx) => {
  let hub: Hub;
  let admin: User;
  beforeAll(async () => {
    hub = await createHub(ctx.get().db, { url: sb.url, partnerId: "sandboxPA" });
    admin = await createUser(ctx.get().db, "admin");
  });

  it("one pass after losing every webhook: the database equals the hub", async () => {
    const { db, driver } = ctx.get();
    const script = await onboardScript("sandboxPA", driver);
    expect(sb.received.length).toBe(0);
    // One number already further along here (a channel_live that did arrive): reconciliation must not move it back.
    const liveId = script[0]!;
    await applyWebhookEvent(await storeWebhook(db, hub.id, { id: randomUUID(), event: "channel_live", data: { id: liveId, status: "running", modified_at: new Date().toISOString() } }), { db });

    const started = performance.now();
    const result = await reconcileHub(hub.id, { db });
    const ms = Math.round(performance.now() - started);

    const state = await sb.control<SandboxState>("/state");
    const hubChannels = state.channels.filter((c) => c.partner_id === "sandboxPA");
    const hubClients = state.clients.filter((c) => hubChannels.some((ch) => ch.client_id === c.id));
    const dbClients = await listClientsOfHub({ db, hubId: hub.id });
    const dbChannels = await listChannelsOfHub({ db, hubId: hub.id });
    const clientExternal = new Map(dbClients.map((c) => [c.id, c.externalId]));

    const byId = (x: { id: string }, y: { id: string }) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
    expect(dbClients.map((c) => ({ id: c.externalId, name: c.name, email: c.email, payload: c.partnerPayload })).sort(byId)).toEqual(
      hubClients.map((c) => ({ id: c.id, name: c.name, email: c.contact_info.email, payload: c.partner_payload })).sort(byId),
    );
    const missing = hubChannels.filter((c) => !dbChannels.some((d) => d.externalId === c.id));
    expect(missing).toEqual([]);
    expect(dbChannels).toHaveLength(hubChannels.length);
    for (const remote of hubChannels) {
      const local = dbChannels.find((d) => d.externalId === remote.id)!;
      expect({ phone: local.phoneNumber, name: local.displayName, client: clientExternal.get(local.clientId ?? "") }).toEqual({
        phone: remote.setup_info.phone_number,
        name: remote.setup_info.phone_name,
        client: remote.client_id,
      });
      if (remote.id === liveId) expect(local).toMatchObject({ status: "running", statusRank: 60 }); // channel_live raises the rank only
      else expect(local.status).toBe(remote.status);
      expect(local.statusRank).toBeGreaterThanOrEqual(statusRank(remote.status) ?? 0);
      expect(local).toMatchObject({ source: remote.id === liveId ? "webhook" : "reconcile", permission: "granted" });
    }
    const running = dbChannels.filter((c) => c.statusRank >= 50);
    const keyJobs = (await jobsOfKind(db, "api_key.provision")).filter((j) => running.some((c) => c.id === j.payload.channelId));
    expect(keyJobs).toHaveLength(running.length);
    console.info(`[R9] ${driver}: ${hubChannels.length} channels at the hub, ${missing.length} missing after webhook loss + 1 reconcile (${ms} ms); result ${JSON.stringify(result)}`);

    // A second pass finds no drift and writes no history.
    const historyBefore = (await db.select().from(channelEvents).where(eq(channelEvents.event, "reconciled"))).length;
    const again = await reconcileHub(hub.id, { db });
    expect(again).toMatchObject({ clients: { created: 0, updated: 0 }, channels: { created: 0, changed: 0 } });
    expect((await db.select().from(channelEvents).where(eq(channelEvents.event, "reconciled"))).length).toBe(historyBefore);
  });

  it("direct payment: permission lost with its webhook is read back from the client's shared numbers", async () => {
    const { db, driver } = ctx.get();
    const direct = await createHub(db, { url: sb.url, partnerId: DIRECT.id, apiKey: DIRECT.apiKey, paymentMode: "direct" });
    const { channelIds } = await sb.control<{ channelIds: string[] }>("/onboard", { partnerId: DIRECT.id, permission: true, companyName: `Direct ${driver}` });
    const { channelIds: notShared } = await sb.control<{ channelIds: string[] }>("/onboard", { partnerId: DIRECT.id, permission: false, companyName: `Direct no ${driver}` });
    const result = await reconcileHub(direct.id, { db });
    expect(result.permissionsChanged).toBeGreaterThanOrEqual(1);
    const rows = await listChannelsOfHub({ db, hubId: direct.id });
    expect(rows.find((c) => c.externalId === channelIds[0])?.permission).toBe("granted");
    expect(rows.find((c) => c.externalId === notShared[0])?.permission).toBe("unknown");
    const granted = rows.find((c) => c.externalId === channelIds[0])!;
    const jobs = (await jobsOfKind(db, "api_key.provision")).filter((j) => j.payload.channelId === granted.id);
    expect(jobs.map((j) => j.payload.grantId)).toEqual([`perm:${granted.permissionChangedAt!.toISOString()}`]);
  });

  it("queues a manual pass once per hub and minute, audited", async () => {
    const { db } = ctx.get();
    const actor = { id: admin.id, email: admin.email };
    const now = new Date("2026-03-01T10:15:20Z");
    const first = await requestReconcile(actor, hub.id, { db }, now);
    const second = await requestReconcile(actor, hub.id, { db }, new Date("2026-03-01T10:15:50Z"));
    const later = await requestReconcile(actor, hub.id, { db }, new Date("2026-03-01T10:16:01Z"));
    expect(first.created).toBe(true);
    expect(second).toEqual({ jobId: first.jobId, created: false });
    expect(later.created).toBe(true);
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.action, "hub.reconcile_requested"), eq(auditLog.targetId, hub.id)));
    expect(audits).toHaveLength(2);
  });
});
