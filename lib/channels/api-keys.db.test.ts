import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import { apiKeys, auditLog, type Hub, type User } from "@/db/schema";
import { forEachDatabase, freshDatabase, unavailableReason, type FreshDatabase } from "@/test/db/databases";
import { isAppError } from "../errors";
import { openSecret } from "../secrets";
import { maskedKeyFor, provisionApiKey, regenerateApiKey, retryKeyProvision, revealApiKey } from "./api-keys";
import { applyWebhookEvent } from "../webhooks/apply";
import { setChannelPermission } from "./permissions";
import { createHub, createUser, jobsOfKind, startTestSandbox, storeWebhook, setTestEnvironment, waitFor, type TestSandbox } from "@/test/support/channels";

setTestEnvironment();

const MESSAGING_WEBHOOK = "http://127.0.0.1:9/messages";
const DIRECT = { id: "directPA", apiKey: "direct-partner-key", platformSecret: "direct-platform-secret" };

let sb: TestSandbox;

beforeAll(async () => {
  sb = await startTestSandbox();
  await sb.control("/partners", { id: "sandboxPA", apiKey: "sandbox-partner-key", platformSecret: "sandbox-platform-secret", webhookUrl: sb.webhookUrl });
  await sb.control("/partners", { ...DIRECT, name: "Direct", paymentMode: "direct", webhookUrl: sb.webhookUrl });
});

afterAll(async () => {
  await sb.close();
});

/** A new number in the sandbox, running at once; resolves when its last webhook has arrived. */
async function onboardRunning(partnerId: string): Promise<{ channelId: string; bodies: Record<string, unknown>[] }> {
  const direct = partnerId === DIRECT.id;
  const { channelIds } = await sb.control<{ channelIds: string[] }>("/onboard", { partnerId, permission: true, companyName: "Key Test GmbH" });
  const channelId = channelIds[0]!;
  const of = () => sb.received.filter((b) => (b.data as { id?: string } | undefined)?.id === channelId);
  const last = direct ? "channel_permission_granted" : "channel_live";
  await waitFor(() => of().some((b) => b.event === last), `${last} of ${channelId}`);
  return { channelId, bodies: of() };
}

async function deliver(db: Database, hub: Hub, bodies: Record<string, unknown>[]): Promise<void> {
  for (const body of bodies) await applyWebhookEvent(await storeWebhook(db, hub.id, body), { db });
}

async function keyRows(db: Database, channelId: string) {
  return db.select().from(apiKeys).where(eq(apiKeys.channelId, channelId));
}

async function keyJobPayloads(db: Database, channelId: string) {
  return (await jobsOfKind(db, "api_key.provision")).map((j) => j.payload as { channelId: string; grantId: string; requestedBy?: string }).filter((p) => p.channelId === channelId);
}

const plaintextOf = (row: typeof apiKeys.$inferSelect) => openSecret(row.keyEnc!, `api_keys|${row.channelId}|${row.keyVersion}`);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

forEachDatabase("api keys against the sandbox hub", (ctx) => {
  let hub: Hub;
  let admin: User;
  let viewer: User;
  beforeAll(async () => {
    const { db } = ctx.get();
    hub = await createHub(db, { url: sb.url, partnerId: "sandboxPA", channelWebhookUrl: MESSAGING_WEBHOOK });
    admin = await createUser(db, "admin");
    viewer = await createUser(db, "viewer");
  });

  it("makes one key from the webhook path, stores it sealed and points the number's webhook (R6, R17)", async () => {
    const { db } = ctx.get();
    const { channelId: externalId, bodies } = await onboardRunning("sandboxPA");
    await deliver(db, hub, bodies);
    const channel = (await findChannelByExternalId({ db, hubId: hub.id, externalId }))!;
    const payloads = await keyJobPayloads(db, channel.id);
    expect(payloads).toEqual([{ channelId: channel.id, grantId: "initial" }]);

    expect(await provisionApiKey(payloads[0]!, { db })).toMatchObject({ outcome: "generated" });
    expect(await provisionApiKey(payloads[0]!, { db })).toMatchObject({ outcome: "already_active" });
    expect(sb.keyPosts(externalId)).toBe(1);

    const [row] = await keyRows(db, channel.id);
    const current = sb.activeKey(externalId)!;
    expect(row).toMatchObject({ status: "active", keyVersion: 1, last4: current.slice(-4), address: sb.url, revealedAt: null });
    expect(row!.keyEnc).not.toContain(current);
    expect(plaintextOf(row!)).toBe(current);
    expect(row!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect((await findChannelByExternalId({ db, hubId: hub.id, externalId }))?.messagingBaseUrl).toBe(sb.url);
    const state = await sb.control<{ channels: { id: string; messaging_webhook_url: string | null }[] }>("/state");
    expect(state.channels.find((c) => c.id === externalId)?.messaging_webhook_url).toBe(MESSAGING_WEBHOOK);
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.action, "api_key.generated"), eq(auditLog.targetId, channel.id)));
    expect(audits).toHaveLength(1);
    expect(JSON.stringify(audits)).not.toContain(current);
  });

  it("a crash between the key call and the commit leaves one stored key: the last one issued (R8)", async () => {
    const { db } = ctx.get();
    const { channelId: externalId, bodies } = await onboardRunning("sandboxPA");
    await deliver(db, hub, bodies);
    const channel = (await findChannelByExternalId({ db, hubId: hub.id, externalId }))!;
    const [payload] = await keyJobPayloads(db, channel.id);
    const crash = () => {
      throw new Error("worker died");
    };
    await expect(provisionApiKey(payload!, { db, afterGenerate: crash })).rejects.toThrow("worker died");
    expect((await keyRows(db, channel.id)).map((r) => r.status)).toEqual(["pending"]);
    const first = sb.activeKey(externalId)!;

    expect(await provisionApiKey(payload!, { db })).toMatchObject({ outcome: "generated" });
    const rows = await keyRows(db, channel.id);
    expect(rows.map((r) => r.status)).toEqual(["active"]);
    expect(sb.keyPosts(externalId)).toBe(2);
    const last = sb.activeKey(externalId)!;
    expect(last).not.toBe(first);
    expect(plaintextOf(rows[0]!)).toBe(last);
  });

  it("shows a key once, to admins only, and regenerating replaces it (R19, F6)", async () => {
    const { db } = ctx.get();
    const { channelId: externalId, bodies } = await onboardRunning("sandboxPA");
    await deliver(db, hub, bodies);
    const channel = (await findChannelByExternalId({ db, hubId: hub.id, externalId }))!;
    const adminActor = { id: admin.id, email: admin.email, role: admin.role };
    // Running and permitted, but no key stored yet: nothing to regenerate, and no second job is queued.
    const jobsBefore = (await keyJobPayloads(db, channel.id)).length;
    const noKey = await rejection(regenerateApiKey(adminActor, channel.id, { confirm: true }, { db }));
    expect(isAppError(noKey) && noKey.code).toBe("conflict:no_api_key");
    expect(isAppError(noKey) && noKey.status).toBe(409);
    expect(await keyJobPayloads(db, channel.id)).toHaveLength(jobsBefore);
    for (const payload of await keyJobPayloads(db, channel.id)) await provisionApiKey(payload, { db });

    expect(await maskedKeyFor(channel.id, { db })).toMatchObject({ status: "active", revealed: false });
    const denied = await rejection(revealApiKey({ id: viewer.id, email: viewer.email, role: viewer.role }, channel.id, { db }));
    expect(isAppError(denied) && denied.code).toBe("forbidden");
    const shown = await revealApiKey(adminActor, channel.id, { db });
    expect(shown.apiKey).toBe(sb.activeKey(externalId));
    const again = await rejection(revealApiKey(adminActor, channel.id, { db }));
    expect(isAppError(again) && again.code).toBe("gone:api_key");
    expect(isAppError(again) && again.status).toBe(410);
    const masked = await maskedKeyFor(channel.id, { db });
    expect(masked).toMatchObject({ status: "active", last4: shown.apiKey.slice(-4), revealed: true });
    expect(JSON.stringify(masked)).not.toContain(shown.apiKey);

    const unconfirmed = await rejection(regenerateApiKey(adminActor, channel.id, { confirm: false }, { db }));
    expect(isAppError(unconfirmed) && unconfirmed.code).toBe("invalid:confirm");
    const { grantId } = await regenerateApiKey(adminActor, channel.id, { confirm: true }, { db });
    expect(grantId).toMatch(/^regen:/);
    const regen = (await keyJobPayloads(db, channel.id)).find((p) => p.grantId === grantId)!;
    expect(regen.requestedBy).toBe(admin.id);
    expect(await provisionApiKey(regen, { db })).toMatchObject({ outcome: "generated" });

    const rows = await keyRows(db, channel.id);
    const active = rows.filter((r) => r.status === "active");
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({ grantId, keyVersion: 2, createdBy: admin.id, revealedAt: null });
    expect(rows.find((r) => r.grantId === "initial")).toMatchObject({ status: "revoked" });
    expect(rows.find((r) => r.grantId === "initial")?.revokedAt).toBeInstanceOf(Date);
    expect(plaintextOf(active[0]!)).toBe(sb.activeKey(externalId));
    expect((await revealApiKey(adminActor, channel.id, { db })).apiKey).toBe(sb.activeKey(externalId));
    const actions = (await db.select().from(auditLog).where(eq(auditLog.targetId, channel.id))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["api_key.revealed", "api_key.regeneration_requested", "api_key.generated"]));
  });

  it("direct payment: a redirect grant before the webhooks leads to one key; retry reuses the grant", async () => {
    const { db } = ctx.get();
    const direct = await createHub(db, { url: sb.url, partnerId: DIRECT.id, apiKey: DIRECT.apiKey, paymentMode: "direct" });
    const { channelId: externalId, bodies } = await onboardRunning(DIRECT.id);
    const granted = await setChannelPermission({ hubId: direct.id, externalChannelId: externalId, granted: true, source: "redirect", actor: { id: admin.id, email: admin.email } }, { db });
    expect(granted).toMatchObject({ changed: true, provisionJobId: null });
    await deliver(db, direct, bodies);
    const channel = (await findChannelByExternalId({ db, hubId: direct.id, externalId }))!;
    const payloads = await keyJobPayloads(db, channel.id);
    expect(payloads).toEqual([{ channelId: channel.id, grantId: `perm:${channel.permissionChangedAt!.toISOString()}` }]);
    // The grant's job is still waiting: retrying runs that job now rather than queuing a second one.
    const retried = await retryKeyProvision({ id: admin.id, email: admin.email }, channel.id, { db });
    const all = await keyJobPayloads(db, channel.id);
    expect(all).toHaveLength(1);
    const [waiting] = (await jobsOfKind(db, "api_key.provision")).filter((j) => j.payload.channelId === channel.id);
    expect(retried.jobId).toBe(waiting!.id);
    await Promise.all(all.map((p) => provisionApiKey(p, { db })));
    expect(retried.jobId).toBeTruthy();
    expect(sb.keyPosts(externalId)).toBe(1);
    expect((await keyRows(db, channel.id)).map((r) => r.status)).toEqual(["active"]);
    const conflict = await rejection(retryKeyProvision({ id: admin.id, email: admin.email }, channel.id, { db }));
    expect(isAppError(conflict) && conflict.code).toBe("conflict:api_key");
  });
});

describe.skipIf(unavailableReason("postgres"))("one key per channel under concurrency [postgres] (R6)", () => {
  let fresh: FreshDatabase;
  let second: Awaited<ReturnType<typeof openDatabase>>;
  beforeAll(async () => {
    fresh = await freshDatabase("postgres");
    second = await openDatabase({ driver: "postgres", url: fresh.url! });
  });
  afterAll(async () => {
    await second?.close();
    await fresh?.dispose();
  });

  it("webhook + redirect grant + variant duplicate, provisioned from two pools: exactly one POST …/api_keys per channel", async () => {
    const a = fresh.handle.db;
    const b = second.db;
    const partnerHub = await createHub(a, { url: sb.url, partnerId: "sandboxPA" });
    const directHub = await createHub(a, { url: sb.url, partnerId: DIRECT.id, apiKey: DIRECT.apiKey, paymentMode: "direct" });
    const rounds = 20;
    let posts = 0;
    let wrongKeys = 0;
    for (let round = 0; round < rounds; round++) {
      const hub = round % 2 === 0 ? partnerHub : directHub;
      const { channelId: externalId, bodies } = await onboardRunning(hub.partnerId);
      const trigger = bodies.find((x) => x.event === (hub.paymentMode === "direct" ? "channel_permission_granted" : "channel_running"))!;
      const variant = { ...trigger, id: randomUUID() };
      const ids = await Promise.all([...bodies, variant].map((body) => storeWebhook(a, hub.id, body)));
      await Promise.all([
        ...ids.map((id, i) => applyWebhookEvent(id, { db: i % 2 ? a : b })),
        setChannelPermission({ hubId: hub.id, externalChannelId: externalId, granted: true, source: "redirect", actor: "system" }, { db: b }),
      ]);
      const channel = (await findChannelByExternalId({ db: a, hubId: hub.id, externalId }))!;
      const payloads = await keyJobPayloads(a, channel.id);
      expect(payloads.length).toBeGreaterThanOrEqual(1);
      await Promise.all(payloads.flatMap((p) => [provisionApiKey(p, { db: a }), provisionApiKey(p, { db: b }), provisionApiKey(p, { db: b })]));
      posts += sb.keyPosts(externalId);
      expect(sb.keyPosts(externalId)).toBe(1);
      const active = (await keyRows(a, channel.id)).filter((r) => r.status === "active");
      expect(active).toHaveLength(1);
      if (plaintextOf(active[0]!) !== sb.activeKey(externalId)) wrongKeys++;
    }
    console.info(`[R6] ${rounds} channels, ${posts} POST …/api_keys, ${posts - rounds} duplicate key calls, ${wrongKeys} stored keys not the last issued`);
    expect(wrongKeys).toBe(0);
  }, 120_000);
});
