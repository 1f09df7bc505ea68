import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { listFunnelEvents } from "@/db/queries/onboarding";
import { auditLog, invites, onboardingEvents, onboardingSessions, type Hub } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { forEachDatabase } from "@/test/db/databases";
import { completeOnboarding } from "./complete";
import { recordChannelProgress, recordFunnelEvent } from "./funnel";
import { createInvite, listInvites, resolveInvite, revokeInvite } from "./invites";
import { createOnboardingSession } from "./sessions";
import { hashToken } from "./tokens";
import { PORTAL_URL, onboardingWorld, partnerSpec } from "@/test/support/onboarding";

forEachDatabase("invite links and the funnel", (ctx) => {
  const world = onboardingWorld(ctx);
  let hub: Hub;
  let signed: Hub;

  beforeAll(async () => {
    hub = await world.seedHub();
    signed = await world.seedHub({ partner: partnerSpec("signed"), ioSignatureEnabled: true });
  });

  it("creates a link shown once, stored hashed, with a direct link only when IO Signature is off", async () => {
    const created = await createInvite(world.operator(), {
      hubId: hub.id,
      label: "Acme GmbH – Ana",
      prefill: { email: "ana@acme.test", name: "Ana", number: "+49 151 12345678", planSelection: "regular", partnerPayload: "crm-1", lang: "de" },
      maxUses: 3,
    });
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.url).toBe(`${PORTAL_URL}/join/${created.token}`);
    expect(created.invite).toMatchObject({ tokenHash: hashToken(created.token), maxUses: 3, useCount: 0, purpose: "new_number", label: "Acme GmbH – Ana" });
    expect(created.invite.expiresAt!.getTime() - Date.now()).toBeGreaterThan(13 * 86_400_000);
    const direct = new URL(created.directLink!);
    expect(direct.pathname).toBe("/dashboard/app/sandboxPA");
    expect(direct.searchParams.get("email")).toBe("ana@acme.test");
    expect(direct.searchParams.get("plan_selection")).toBe("regular");
    expect(direct.searchParams.get("partner")).toBe("crm-1");
    expect(direct.searchParams.get("lang")).toBe("de");
    expect(direct.searchParams.has("state")).toBe(false);
    expect(direct.searchParams.has("io_signature")).toBe(false);
    const [row] = await world.db().select().from(invites).where(eq(invites.id, created.invite.id));
    expect(JSON.stringify(row)).not.toContain(created.token);
    const [entry] = await world.db().select().from(auditLog).where(eq(auditLog.targetId, created.invite.id));
    expect(entry).toMatchObject({ action: "invite.created", actorLabel: "op@partner.test" });
    expect(JSON.stringify(entry!.detail)).not.toMatch(/ana@acme|Acme GmbH|crm-1/);

    const withSignature = await createInvite(world.operator(), { hubId: signed.id });
    expect(withSignature.directLink).toBeNull();
  });

  it("refuses bad input with field errors", async () => {
    const outcome = await createInvite(world.operator(), { hubId: hub.id, prefill: { email: "nope" }, maxUses: 0, expiresAt: new Date(Date.now() - 1000) }).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(AppError);
    expect(Object.keys((outcome as AppError).fieldErrors ?? {}).sort()).toEqual(["expiresAt", "maxUses", "prefill.email"]);
  });

  it("a permission request names the one client it is for, and 360dialog must list that client under the hub", async () => {
    const refusal = async (prefill: Record<string, string>) => {
      const outcome = await createInvite(world.operator(), { hubId: hub.id, purpose: "permission", prefill }).catch((e: unknown) => e);
      expect(outcome).toBeInstanceOf(AppError);
      return (outcome as AppError).fieldErrors?.["prefill.clientId"];
    };
    const before = await world.db().$count(invites);
    expect(await refusal({})).toEqual([expect.stringMatching(/client ID/)]);
    expect(await refusal({ clientId: "NotAClientCL" })).toEqual([expect.stringMatching(/no client with this ID/)]);
    expect(await world.db().$count(invites)).toBe(before);
  });

  it("resolves a token without counting a use, and records link_opened once a minute", async () => {
    const { clientId } = await world.sandbox.onboard({ email: "perm@client.test" });
    const created = await createInvite(world.operator(), { hubId: hub.id, purpose: "permission", prefill: { number: "+4915112345678", clientId } });
    const first = await resolveInvite(created.token, { recordOpen: true });
    await resolveInvite(created.token, { recordOpen: true });
    expect(first).toMatchObject({ inviteId: created.invite.id, hubId: hub.id, purpose: "permission", state: "valid", prefill: { number: "+4915112345678", clientId } });
    expect(await resolveInvite("x".repeat(43))).toBeNull();
    expect(await resolveInvite("../../etc")).toBeNull();
    const events = await listFunnelEvents({ db: world.db(), inviteId: created.invite.id });
    expect(events.map((e) => e.kind)).toEqual(["link_opened"]);
    const [row] = await world.db().select().from(invites).where(eq(invites.id, created.invite.id));
    expect(row!.useCount).toBe(0);
  });

  it("a used-up link stays open to the browser whose own start took the last use, for as long as that session is open", async () => {
    const created = await createInvite(world.operator(), { hubId: hub.id, maxUses: 1 });
    const binding = world.binding();
    expect(await resolveInvite(created.token, { browserBinding: binding })).toMatchObject({ state: "valid", openSession: false });
    const session = await createOnboardingSession({ method: "popup", inviteToken: created.token, browserBinding: binding, ip: "127.0.0.1" });
    expect(await resolveInvite(created.token, { browserBinding: binding })).toMatchObject({ state: "used_up", openSession: true });
    expect(await resolveInvite(created.token, { browserBinding: world.binding() })).toMatchObject({ state: "used_up", openSession: false });
    expect(await resolveInvite(created.token, { browserBinding: "not-a-token" })).toMatchObject({ state: "used_up", openSession: false });
    expect(await resolveInvite(created.token)).toMatchObject({ state: "used_up", openSession: false });
    await world.db().update(onboardingSessions).set({ consumedAt: new Date() }).where(eq(onboardingSessions.id, session.sessionId));
    expect(await resolveInvite(created.token, { browserBinding: binding })).toMatchObject({ state: "used_up", openSession: false });
    const [row] = await world.db().select().from(invites).where(eq(invites.id, created.invite.id));
    expect(row!.useCount).toBe(1);
  });

  it("revokes idempotently with an audit entry; a revoked link can no longer start", async () => {
    const created = await createInvite(world.operator(), { hubId: hub.id });
    const once = await revokeInvite(world.operator(), created.invite.id);
    const twice = await revokeInvite(world.operator(), created.invite.id);
    expect(twice.revokedAt!.getTime()).toBe(once.revokedAt!.getTime());
    expect((await resolveInvite(created.token))?.state).toBe("revoked");
    const outcome = await createOnboardingSession({ method: "popup", inviteToken: created.token, browserBinding: world.binding(), ip: "127.0.0.1" }).catch((e: unknown) => e);
    expect((outcome as AppError).code).toBe("forbidden:invite_revoked");
    expect(await world.db().$count(auditLog, eq(auditLog.action, "invite.revoked"))).toBe(2);
    expect(await revokeInvite(world.operator(), "00000000-0000-4000-8000-00000000dead").catch((e: unknown) => (e as AppError).code)).toBe("not_found:invite");
  });

  it("lists invites newest first with each one's progress, paged without gaps", async () => {
    const progressHub = await world.seedHub({ partner: partnerSpec("list") });
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await createInvite(world.operator(), { hubId: progressHub.id, label: `lead ${i}` }));
    // An invite of the sandbox partner's hub goes all the way through.
    const target = await createInvite(world.operator(), { hubId: hub.id, label: "done" });
    const binding = world.binding();
    const s = await createOnboardingSession({ method: "popup", inviteToken: target.token, browserBinding: binding, ip: "127.0.0.1" });
    const { clientId, channelIds } = await world.sandbox.onboard({ phoneNumber: "+4915112345678" });
    expect((await completeOnboarding({ query: `client=${clientId}&channels=[${channelIds.join(",")}]&state=${s.state}`, browserBinding: binding, ip: "127.0.0.1" })).ok).toBe(true);

    const seen: string[] = [];
    let after;
    for (;;) {
      const page = await listInvites({ hubId: progressHub.id, limit: 3, after });
      seen.push(...page.rows.map((r) => r.label));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toEqual(["lead 6", "lead 5", "lead 4", "lead 3", "lead 2", "lead 1", "lead 0"]);

    const { rows } = await listInvites({ hubId: hub.id, limit: 1 });
    expect(rows[0]).toMatchObject({ label: "done", sessions: 1, clientLinked: true, channelsLinked: 1, state: "valid", latestEventKind: "channel_running", useCount: 1 });
    expect(rows[0]!.latestEventAt).toBeInstanceOf(Date);
    expect(rows[0]).not.toHaveProperty("tokenHash");
    const fresh = (await listInvites({ hubId: progressHub.id, limit: 1 })).rows[0]!;
    expect(fresh).toMatchObject({ sessions: 0, clientLinked: false, channelsLinked: 0, latestEventKind: null, latestEventAt: null });
  });

  it("deduplicates a funnel step per session and kind within a minute", async () => {
    const s = await createOnboardingSession({ method: "connect_button", hubId: hub.id, staffActor: world.operator(), browserBinding: world.binding(), ip: "127.0.0.1" });
    expect(await recordFunnelEvent(world.db(), { hubId: hub.id, sessionId: s.sessionId, kind: "landing_viewed" })).toBe(true);
    expect(await recordFunnelEvent(world.db(), { hubId: hub.id, sessionId: s.sessionId, kind: "landing_viewed" })).toBe(false);
    expect(await recordFunnelEvent(world.db(), { hubId: hub.id, sessionId: s.sessionId, kind: "popup_blocked" })).toBe(true);
    await world.db().update(onboardingEvents).set({ at: new Date(Date.now() - 61_000) }).where(eq(onboardingEvents.sessionId, s.sessionId));
    expect(await recordFunnelEvent(world.db(), { hubId: hub.id, sessionId: s.sessionId, kind: "landing_viewed" })).toBe(true);
    // Channel steps: once per channel, ever.
    expect(await recordFunnelEvent(world.db(), { hubId: hub.id, sessionId: s.sessionId, kind: "channel_created", detail: { channelId: "aCH" } })).toBe(true);
    expect(await recordFunnelEvent(world.db(), { hubId: hub.id, sessionId: s.sessionId, kind: "channel_created", detail: { channelId: "bCH" } })).toBe(true);
    expect(await recordFunnelEvent(world.db(), { hubId: hub.id, sessionId: s.sessionId, kind: "channel_created", detail: { channelId: "aCH" } })).toBe(false);
    const kinds = (await listFunnelEvents({ db: world.db(), sessionId: s.sessionId })).map((e) => e.kind);
    expect(kinds).toEqual(["popup_opened", "landing_viewed", "popup_blocked", "landing_viewed", "channel_created", "channel_created"]);
  });

  it("marks channel steps reported by webhooks on the sessions that linked the channel", async () => {
    const binding = world.binding();
    const s = await createOnboardingSession({ method: "popup", hubId: hub.id, staffActor: world.operator(), browserBinding: binding, ip: "127.0.0.1" });
    await world.sandbox.control("/config", { lifecycleDelayMs: 3_600_000 });
    const { clientId, channelIds } = await world.sandbox.onboard({ phoneNumber: "+4915112345678" });
    await world.sandbox.control("/config", { lifecycleDelayMs: 0 });
    expect((await completeOnboarding({ query: `client=${clientId}&channels=[${channelIds[0]}]&state=${s.state}`, browserBinding: binding, ip: "127.0.0.1" })).ok).toBe(true);
    expect((await listFunnelEvents({ db: world.db(), sessionId: s.sessionId })).map((e) => e.kind)).not.toContain("channel_running");
    await recordChannelProgress(world.db(), { hubId: hub.id, channelExternalId: channelIds[0]!, status: "running" });
    await recordChannelProgress(world.db(), { hubId: hub.id, channelExternalId: channelIds[0]!, status: "running" });
    const kinds = (await listFunnelEvents({ db: world.db(), sessionId: s.sessionId })).map((e) => e.kind);
    expect(kinds.filter((k) => k === "channel_running")).toHaveLength(1);
    expect(kinds.filter((k) => k === "channel_created")).toHaveLength(1);
  });
});
