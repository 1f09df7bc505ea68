import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { apiKeys, auditLog, channels, clients, jobs, onboardingSessions, type Hub } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { captureAppLogs, setTestAppEnv, type CapturedLogs } from "@/test/db/use-as-app-db";
import { provisionApiKey } from "../channels/api-keys";
import { setChannelPermission } from "../channels/permissions";
import { reconcileHub } from "../channels/reconcile";
import { completeOnboarding } from "./complete";
import { createOnboardingSession, type CreatedSession } from "./sessions";
import { onboardingWorld, partnerSpec, PORTAL_URL } from "@/test/support/onboarding";

// The redirect is a hint, never a command (docs/onboarding-redirect.md): a session links only what it created
// (or, for a permission request, the one client it was opened for); permissions come from the Partner API,
// never from the query; a redirect without `state` completes for the browser's own session; and reconciliation
// heals a permission the portal should never have withdrawn, keeping the key the client is using.

const query = (p: { client?: string; channels?: string[]; revoked?: string[]; state?: string | null }) =>
  [
    p.client !== undefined ? `client=${p.client}` : null,
    p.channels ? `channels=[${p.channels.join(",")}]` : null,
    p.revoked ? `revoked=[${p.revoked.join(",")}]` : null,
    p.state ? `state=${p.state}` : null,
  ]
    .filter(Boolean)
    .join("&");

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

forEachDatabase("the redirect is a hint: hijack, missing state, heal", (ctx) => {
  const world = onboardingWorld(ctx);
  let partnerHub: Hub;
  let directHub: Hub;
  const partner = partnerSpec("trust", "partner");
  const direct = partnerSpec("trustd", "direct");
  let logs: CapturedLogs;

  beforeAll(async () => {
    // No clock skew allowance: "created before the session" is exact in these tests.
    setTestAppEnv({ NEXTAUTH_URL: PORTAL_URL, LOG_LEVEL: "silent", ONBOARDING_CLOCK_SKEW_SECONDS: "0" });
    await world.seedPartner(partner);
    await world.seedPartner(direct);
    partnerHub = await world.seedHub({ partner });
    directHub = await world.seedHub({ partner: direct, paymentMode: "direct" });
    logs = captureAppLogs();
  });
  afterAll(() => logs.restore());

  type Begun = CreatedSession & { binding: string };
  async function begin(hub: Hub, extra: { method?: "popup" | "permission"; clientId?: string } = {}): Promise<Begun> {
    const binding = world.binding();
    const s = await createOnboardingSession({
      method: extra.method ?? "popup",
      hubId: hub.id,
      staffActor: world.operator(),
      browserBinding: binding,
      ip: "127.0.0.1",
      prefill: extra.clientId ? { clientId: extra.clientId } : {},
    });
    return { ...s, binding };
  }
  const onboard = (partnerId: string, body: Record<string, unknown> = {}) =>
    world.sandbox.control<{ clientId: string; channelIds: string[] }>("/onboard", { partnerId, phoneNumber: "+4915112340000", ...body });
  const finish = (s: { binding: string | null }, q: string) => completeOnboarding({ query: q, browserBinding: s.binding, ip: "127.0.0.1" });
  const session = async (id: string) => (await world.db().select().from(onboardingSessions).where(eq(onboardingSessions.id, id)))[0]!;
  const channelRow = async (hub: Hub, externalId: string) =>
    (await world.db().select().from(channels).where(and(eq(channels.hubId, hub.id), eq(channels.externalId, externalId))))[0];
  /** Key jobs still waiting for this channel (the db tests run no job runner: the victim's own job ran by hand). */
  const keyJobsOf = async (rowId: string) =>
    world.db().$count(jobs, and(eq(jobs.kind, "api_key.provision"), eq(jobs.status, "queued"), like(jobs.uniqueKey, `api_key:${rowId}:%`)));
  const keysOf = async (channelId: string) => world.db().select().from(apiKeys).where(eq(apiKeys.channelId, channelId));
  const sandboxKeys = async (channelId: string) =>
    (await world.sandbox.control<{ apiKeys: { channelId: string; revokedAt: string | null }[] }>("/state")).apiKeys.filter((k) => k.channelId === channelId);

  /** A client of the partner onboarded earlier through its own session, with its number running and keyed. */
  async function victimOf(hub: Hub): Promise<{ clientId: string; channelId: string; rowId: string; keyId: string }> {
    const s = await begin(hub);
    const { clientId, channelIds } = await onboard(hub.partnerId, { permission: true, email: `victim-${Date.now()}@client.test` });
    expect(await finish(s, query({ client: clientId, channels: channelIds, state: s.state }))).toMatchObject({ ok: true });
    const row = (await channelRow(hub, channelIds[0]!))!;
    expect(row.permission).toBe("granted");
    const grantId = hub.paymentMode === "partner" ? "initial" : `perm:${row.permissionChangedAt!.toISOString()}`;
    expect(await provisionApiKey({ channelId: row.id, grantId })).toMatchObject({ outcome: "generated" });
    // The job the completion queued for this key has just been done by hand.
    await world.db().update(jobs).set({ status: "done" }).where(like(jobs.uniqueKey, `api_key:${row.id}:%`));
    const [key] = (await keysOf(row.id)).filter((k) => k.status === "active");
    await pause(20); // the attacker's session starts strictly after the victim's number exists
    return { clientId, channelId: channelIds[0]!, rowId: row.id, keyId: key!.id };
  }

  for (const mode of ["partner", "direct"] as const) {
    it(`${mode} payment: another client's id and revoked=[its number] with a valid state change nothing`, async () => {
      const hub = mode === "partner" ? partnerHub : directHub;
      const victim = await victimOf(hub);
      const before = await channelRow(hub, victim.channelId);
      const attacker = await begin(hub);
      const r = await finish(attacker, query({ client: victim.clientId, channels: [victim.channelId], revoked: [victim.channelId], state: attacker.state }));
      expect(r).toMatchObject({ ok: false, error: { code: "client_not_expected", status: 403 } });
      // Nothing linked to the attacker's session; the victim's permission and key exactly as before.
      expect(await session(attacker.sessionId)).toMatchObject({ status: "failed", clientId: null, clientExternalId: null, channelExternalIds: [], revokedExternalIds: [] });
      const after = await channelRow(hub, victim.channelId);
      expect(after).toMatchObject({ permission: "granted", permissionChangedAt: before!.permissionChangedAt });
      expect((await keysOf(victim.rowId)).map((k) => [k.id, k.status])).toEqual([[victim.keyId, "active"]]);
      expect((await sandboxKeys(victim.channelId)).filter((k) => k.revokedAt === null)).toHaveLength(1);
      expect(await keyJobsOf(victim.rowId)).toBe(0);
      // What the query named was logged as ignored, with the session it came for.
      expect(logs.lines().some((l) => l.sessionId === attacker.sessionId && l.msg?.toString().includes("ignored"))).toBe(true);
    });
  }

  it("a fresh client of the attacker's own with a victim's number in channels=[…] links only the attacker's number", async () => {
    const victim = await victimOf(directHub);
    const attacker = await begin(directHub);
    const own = await onboard(direct.id, { permission: true, email: `own-${Date.now()}@client.test` });
    const r = await finish(attacker, query({ client: own.clientId, channels: [...own.channelIds, victim.channelId], state: attacker.state }));
    expect(r).toMatchObject({ ok: true });
    expect(await session(attacker.sessionId)).toMatchObject({ status: "completed", channelExternalIds: own.channelIds });
    expect(await channelRow(directHub, victim.channelId)).toMatchObject({ permission: "granted" });
    expect((await keysOf(victim.rowId)).map((k) => k.status)).toEqual(["active"]);
    // The attacker's own number got the permission 360dialog reports for it.
    expect(await channelRow(directHub, own.channelIds[0]!)).toMatchObject({ permission: "granted" });
  });

  it("direct payment: channels=[…] grants nothing that 360dialog does not report as shared", async () => {
    const s = await begin(directHub);
    const { clientId, channelIds } = await onboard(direct.id, { permission: false, email: `unshared-${Date.now()}@client.test` });
    expect(await finish(s, query({ client: clientId, channels: channelIds, state: s.state }))).toMatchObject({ ok: true });
    expect(await channelRow(directHub, channelIds[0]!)).toMatchObject({ permission: "unknown" });
    const row = (await channelRow(directHub, channelIds[0]!))!;
    expect(await world.db().$count(jobs, and(eq(jobs.kind, "api_key.provision"), eq(jobs.uniqueKey, `api_key:${row.id}:perm:${row.permissionChangedAt?.toISOString()}`)))).toBe(0);
  });

  for (const mode of ["partner", "direct"] as const) {
    it(`${mode} payment: a redirect without state completes for this browser's own session, and only for it`, async () => {
      const hub = mode === "partner" ? partnerHub : directHub;
      const s = await begin(hub);
      const { clientId, channelIds } = await onboard(hub.partnerId, { permission: true, email: `nostate-${mode}-${Date.now()}@client.test` });
      const q = query({ client: clientId, channels: channelIds });
      // Another browser, or none, finds no session of its own: nothing linked, this session untouched.
      expect(await finish({ binding: world.binding() }, q)).toMatchObject({ ok: false, error: { code: "state_missing", status: 400 } });
      expect(await finish({ binding: null }, q)).toMatchObject({ ok: false, error: { code: "state_missing" } });
      expect(await session(s.sessionId)).toMatchObject({ status: "started", consumedAt: null });

      expect(await finish(s, q)).toEqual({ ok: true, sessionId: s.sessionId, statusUrl: s.statusUrl });
      const row = (await channelRow(hub, channelIds[0]!))!;
      expect(await session(s.sessionId)).toMatchObject({ status: "completed", channelExternalIds: channelIds });
      // The number's key follows on both payment modes (direct: because 360dialog reports it shared).
      expect(row.permission).toBe("granted");
      const grantId = mode === "partner" ? "initial" : `perm:${row.permissionChangedAt!.toISOString()}`;
      expect(await world.db().$count(jobs, and(eq(jobs.kind, "api_key.provision"), eq(jobs.uniqueKey, `api_key:${row.id}:${grantId}`)))).toBe(1);
      // Once completed, the same browser hears "already completed", not "not found".
      expect(await finish(s, q)).toMatchObject({ ok: false, error: { code: "state_reused" } });
    });
  }

  it("a redirect with a state still needs the state to match", async () => {
    const s = await begin(partnerHub);
    const { clientId, channelIds } = await onboard(partner.id, { email: `wrongstate-${Date.now()}@client.test` });
    expect(await finish(s, query({ client: clientId, channels: channelIds, state: world.binding() }))).toMatchObject({ ok: false, error: { code: "state_unknown" } });
    expect(await session(s.sessionId)).toMatchObject({ status: "started", consumedAt: null });
  });

  it("a permission request links only the client it was opened for and applies what 360dialog says is shared", async () => {
    const owner = await onboard(direct.id, { permission: true, email: `owner-${Date.now()}@client.test` });
    const second = await onboard(direct.id, { clientId: owner.clientId, phoneNumber: "+4915112340001" });
    const other = await onboard(direct.id, { permission: true, email: `other-${Date.now()}@client.test` });
    const s = await begin(directHub, { method: "permission", clientId: owner.clientId });
    // The query names another client and that client's number: ignored; the owner's numbers are read at 360dialog.
    const r = await finish(s, query({ client: other.clientId, channels: other.channelIds, revoked: second.channelIds, state: s.state }));
    expect(r).toMatchObject({ ok: true });
    const linked = await session(s.sessionId);
    const [ownerRow] = await world.db().select().from(clients).where(and(eq(clients.hubId, directHub.id), eq(clients.externalId, owner.clientId)));
    expect(linked).toMatchObject({ status: "completed", clientId: ownerRow!.id, clientExternalId: owner.clientId, channelExternalIds: owner.channelIds, revokedExternalIds: [] });
    expect(await channelRow(directHub, owner.channelIds[0]!)).toMatchObject({ permission: "granted" });
    // Not shared at 360dialog and never granted here: stays unknown, not "revoked".
    expect(await channelRow(directHub, second.channelIds[0]!)).toMatchObject({ permission: "unknown" });
    expect(await channelRow(directHub, other.channelIds[0]!)).toBeUndefined();

    // The client withdraws the first number at 360dialog: the next visit applies exactly that.
    await world.sandbox.control(`/channels/${owner.channelIds[0]}/permission`, { granted: false });
    const again = await begin(directHub, { method: "permission", clientId: owner.clientId });
    expect(await finish(again, query({ client: owner.clientId, channels: owner.channelIds, state: again.state }))).toMatchObject({ ok: true });
    expect(await channelRow(directHub, owner.channelIds[0]!)).toMatchObject({ permission: "revoked" });
    expect(await session(again.sessionId)).toMatchObject({ revokedExternalIds: owner.channelIds });
  });

  it("a permission request whose invite names no client links nothing", async () => {
    const owner = await onboard(direct.id, { permission: true, email: `noclient-${Date.now()}@client.test` });
    const s = await begin(directHub, { method: "permission" });
    expect(await finish(s, query({ client: owner.clientId, channels: owner.channelIds, state: s.state }))).toMatchObject({ ok: false, error: { code: "client_not_expected" } });
    expect(await channelRow(directHub, owner.channelIds[0]!)).toBeUndefined();
  });

  for (const mode of ["partner", "direct"] as const) {
    it(`${mode} payment: reconciliation heals a withdrawn permission and keeps the key the client is using`, async () => {
      const hub = mode === "partner" ? partnerHub : directHub;
      const victim = await victimOf(hub);
      // The poisoned row the old redirect handling could leave: permission and key marked revoked here only.
      await setChannelPermission({ hubId: hub.id, externalChannelId: victim.channelId, granted: false, source: "redirect", actor: "system" });
      expect((await keysOf(victim.rowId)).map((k) => k.status)).toEqual(["revoked"]);

      await reconcileHub(hub.id);
      expect(await channelRow(hub, victim.channelId)).toMatchObject({ permission: "granted" });
      expect((await keysOf(victim.rowId)).map((k) => [k.id, k.status])).toEqual([[victim.keyId, "active"]]);
      // No new key was made at 360dialog (which would have stopped the client's working key), and none is queued.
      expect(await sandboxKeys(victim.channelId)).toHaveLength(1);
      const row = (await channelRow(hub, victim.channelId))!;
      expect(await keyJobsOf(victim.rowId)).toBe(0);
      expect(row.permission).toBe("granted");
      const [entry] = await world.db().select().from(auditLog).where(and(eq(auditLog.action, "channel.permission_restored"), eq(auditLog.targetId, victim.rowId)));
      expect(entry).toBeDefined();
      // A second pass finds nothing to do.
      await reconcileHub(hub.id);
      expect((await keysOf(victim.rowId)).map((k) => k.status)).toEqual(["active"]);
    });
  }
});
