import { and, asc, eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditLog, channels, clients, onboardingEvents, onboardingSessions, type Hub } from "@/db/schema";
import { createPartnerApi } from "@/lib/hub/partner-api";
import { partnerApiFor } from "@/lib/hub-config/connection";
import { FAST_TRANSPORT, countingFetch } from "@/test/contract/support";
import { forEachDatabase } from "@/test/db/databases";
import { captureAppLogs, type CapturedLogs } from "@/test/db/use-as-app-db";
import { completeOnboarding } from "./complete";
import { createOnboardingSession, type CreatedSession } from "./sessions";
import { newToken } from "./tokens";
import { onboardingWorld, partnerSpec, type PartnerSpec } from "@/test/support/onboarding";

const query = (p: { client?: string; channels?: string[]; revoked?: string[]; state?: string | null }) =>
  [
    p.client !== undefined ? `client=${p.client}` : null,
    p.channels ? `channels=[${p.channels.join(",")}]` : null,
    p.revoked ? `revoked=[${p.revoked.join(",")}]` : null,
    p.state ? `state=${p.state}` : null,
  ]
    .filter(Boolean)
    .join("&");

forEachDatabase("onboarding redirect completion", (ctx) => {
  const world = onboardingWorld(ctx);
  let hub: Hub;
  let direct: Hub;
  let directSpec: PartnerSpec;
  let logs: CapturedLogs;
  const states: string[] = [];

  beforeAll(async () => {
    hub = await world.seedHub();
    directSpec = partnerSpec("direct", "direct");
    await world.seedPartner(directSpec);
    direct = await world.seedHub({ partner: directSpec, paymentMode: "direct" });
    logs = captureAppLogs();
  });
  afterAll(() => {
    // docs/security.md R20/R11: refusals are logged with the session id, never the state value.
    const text = logs.text();
    for (const state of states) expect(text).not.toContain(state);
    logs.restore();
  });

  async function begin(target: Hub = hub, extra: { method?: "popup" | "permission"; clientId?: string } = {}): Promise<CreatedSession & { binding: string }> {
    const binding = world.binding();
    const prefill = extra.clientId ? { clientId: extra.clientId } : {};
    const s = await createOnboardingSession({ method: extra.method ?? "popup", hubId: target.id, staffActor: world.operator(), browserBinding: binding, ip: "127.0.0.1", prefill });
    states.push(s.state!);
    return { ...s, binding };
  }
  const onboard = (body: Record<string, unknown> = {}, partnerId = "sandboxPA") =>
    world.sandbox.control<{ clientId: string; channelIds: string[] }>("/onboard", { partnerId, phoneNumber: "+4915112345678", ...body });
  const session = async (id: string) => (await world.db().select().from(onboardingSessions).where(eq(onboardingSessions.id, id)))[0]!;
  const clientRows = async (externalId: string) => world.db().select().from(clients).where(eq(clients.externalId, externalId));
  const finish = (s: { binding: string }, q: string) => completeOnboarding({ query: q, browserBinding: s.binding, ip: "127.0.0.1" });

  it("confirms with the Partner API and links client and channels to the session", async () => {
    const s = await begin();
    const { clientId, channelIds } = await onboard({ email: "ana@client.test", name: "Ana" });
    const result = await finish(s, query({ client: clientId, channels: channelIds, state: s.state }));
    expect(result).toEqual({ ok: true, sessionId: s.sessionId, statusUrl: s.statusUrl });

    const row = await session(s.sessionId);
    expect(row).toMatchObject({ status: "completed", clientExternalId: clientId, channelExternalIds: channelIds, revokedExternalIds: [], error: null });
    expect(row.consumedAt).toBeInstanceOf(Date);
    const [client] = await clientRows(clientId);
    expect(row.clientId).toBe(client!.id);
    const [channel] = await world.db().select().from(channels).where(eq(channels.externalId, channelIds[0]!));
    expect(channel).toMatchObject({ hubId: hub.id, clientId: client!.id, phoneNumber: "+4915112345678", status: "running", permission: "granted" });

    const funnel = await world.db().select().from(onboardingEvents).where(eq(onboardingEvents.sessionId, s.sessionId)).orderBy(asc(onboardingEvents.id));
    expect(funnel.map((e) => e.kind)).toEqual(["popup_opened", "redirect_received", "client_confirmed", "channel_created", "channel_running"]);
    const [entry] = await world.db().select().from(auditLog).where(and(eq(auditLog.action, "onboarding.completed"), eq(auditLog.targetId, s.sessionId)));
    expect(entry).toMatchObject({ actorLabel: "system", hubId: hub.id });
    expect(entry!.detail).toEqual({ sessionId: s.sessionId, method: "popup", clientId, channelCount: 1, revokedCount: 0 });
    expect(JSON.stringify(entry)).not.toContain("ana@client.test");

    // Reused state: refused, nothing changes.
    const again = await finish(s, query({ client: clientId, channels: channelIds, state: s.state }));
    expect(again).toMatchObject({ ok: false, error: { code: "state_reused", status: 409 } });
  });

  it("lets only one of several concurrent completions with the same state through (R11)", async () => {
    const s = await begin();
    const { clientId, channelIds } = await onboard();
    const q = query({ client: clientId, channels: channelIds, state: s.state });
    const results = await Promise.all(Array.from({ length: 6 }, () => finish(s, q)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? "" : r.error.code))).toEqual(Array(5).fill("state_reused"));
    expect(await clientRows(clientId)).toHaveLength(1);
  });

  it("refuses a forged state and links nothing", async () => {
    const { clientId, channelIds } = await onboard();
    const forged = newToken();
    states.push(forged);
    const result = await completeOnboarding({ query: query({ client: clientId, channels: channelIds, state: forged }), browserBinding: world.binding(), ip: "127.0.0.1" });
    expect(result).toMatchObject({ ok: false, error: { code: "state_unknown", status: 403 } });
    expect(await clientRows(clientId)).toHaveLength(0);
  });

  it("refuses another browser (or none) without using up the state; the right browser still completes", async () => {
    const s = await begin();
    const { clientId, channelIds } = await onboard();
    const q = query({ client: clientId, channels: channelIds, state: s.state });
    for (const browserBinding of [world.binding(), null, "not-a-token"]) {
      const r = await completeOnboarding({ query: q, browserBinding, ip: "127.0.0.1" });
      expect(r).toMatchObject({ ok: false, error: { code: "state_foreign_browser", status: 403 } });
    }
    expect(await session(s.sessionId)).toMatchObject({ status: "started", consumedAt: null, clientId: null });
    expect(await clientRows(clientId)).toHaveLength(0);
    expect((await finish(s, q)).ok).toBe(true);
    const warned = logs.lines().filter((l) => l.code === "state_foreign_browser" && l.sessionId === s.sessionId);
    expect(warned).toHaveLength(3);
  });

  it("refuses an expired session and marks it expired", async () => {
    const s = await begin();
    await world.db().update(onboardingSessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(onboardingSessions.id, s.sessionId));
    const { clientId, channelIds } = await onboard();
    const r = await finish(s, query({ client: clientId, channels: channelIds, state: s.state }));
    expect(r).toMatchObject({ ok: false, error: { code: "state_expired", status: 410 } });
    expect(await session(s.sessionId)).toMatchObject({ status: "expired", consumedAt: null, clientId: null });
  });

  it("refuses a redirect without state from a browser that started no sign-up, in plain words, and logs it", async () => {
    const { clientId, channelIds } = await onboard();
    const r = await completeOnboarding({ query: query({ client: clientId, channels: channelIds }), browserBinding: world.binding(), ip: "127.0.0.1" });
    expect(r).toMatchObject({ ok: false, error: { code: "state_missing", status: 400 } });
    if (r.ok) throw new Error("unreachable");
    expect(r.error.message).toMatch(/nothing was linked/);
    expect(r.error.errorCode).toBe("invalid:state_missing");
    expect(logs.lines().some((l) => l.code === "state_missing")).toBe(true);
    expect(await clientRows(clientId)).toHaveLength(0);
  });

  it("refuses a client that is not under this partner: nothing linked, no key call", async () => {
    const other = partnerSpec("other");
    await world.seedPartner(other);
    const foreign = await onboard({}, other.id);
    const s = await begin();
    const counter = countingFetch();
    const api = (h: Hub) => createPartnerApi({ ...FAST_TRANSPORT, fetch: counter.fetch, baseUrl: h.partnerApiBaseUrl, partnerId: h.partnerId, auth: { kind: "api_key", apiKey: "sandbox-partner-key" } });
    const r = await completeOnboarding({ query: query({ client: foreign.clientId, channels: foreign.channelIds, state: s.state }), browserBinding: s.binding, ip: "127.0.0.1" }, { partnerApi: api });
    expect(r).toMatchObject({ ok: false, error: { code: "client_not_ours", status: 403 } });
    expect(counter.calls.length).toBeGreaterThan(0);
    expect(counter.calls.every((c) => c.method === "GET")).toBe(true);
    expect(counter.calls.some((c) => c.path.endsWith("/api_keys"))).toBe(false);
    expect(await session(s.sessionId)).toMatchObject({ status: "failed", error: "client_not_ours", clientId: null, clientExternalId: null, channelExternalIds: [] });
    expect(await clientRows(foreign.clientId)).toHaveLength(0);
    expect(await world.db().$count(channels, eq(channels.externalId, foreign.channelIds[0]!))).toBe(0);
    // The state was used: a second try with a real client is refused too.
    const mine = await onboard();
    expect(await finish(s, query({ client: mine.clientId, channels: mine.channelIds, state: s.state }))).toMatchObject({ ok: false, error: { code: "state_reused" } });
  });

  it("links only the client's own numbers: another client's number in the query is ignored and logged", async () => {
    const a = await onboard({ email: "a@client.test" });
    const b = await onboard({ email: "b@client.test" });
    const s = await begin();
    const r = await finish(s, query({ client: a.clientId, channels: [...a.channelIds, ...b.channelIds], state: s.state }));
    expect(r).toMatchObject({ ok: true });
    expect(await session(s.sessionId)).toMatchObject({ status: "completed", channelExternalIds: a.channelIds });
    expect(await world.db().$count(channels, eq(channels.externalId, b.channelIds[0]!))).toBe(0);
    expect(logs.lines().some((l) => l.sessionId === s.sessionId && String(l.msg).includes("ignored"))).toBe(true);
  });

  it("direct payment: permissions follow what 360dialog reports as shared, not the query; withdrawals are audited", async () => {
    const { clientId, channelIds } = await onboard({ permission: true }, directSpec.id);
    const second = await onboard({ clientId, phoneNumber: "+4915199999999" }, directSpec.id);
    const both = [...channelIds, ...second.channelIds];
    await world.sandbox.control(`/channels/${both[1]}/permission`, { granted: true });
    const grant = await begin(direct, { method: "permission", clientId });
    expect(await finish(grant, query({ client: clientId, channels: both, state: grant.state }))).toMatchObject({ ok: true });
    const permissions = async () =>
      Object.fromEntries((await world.db().select().from(channels).where(eq(channels.hubId, direct.id))).map((c) => [c.externalId, c.permission]));
    expect(await permissions()).toEqual({ [both[0]!]: "granted", [both[1]!]: "granted" });

    await world.sandbox.control(`/channels/${both[1]}/permission`, { granted: false });
    const revoke = await begin(direct, { method: "permission", clientId });
    // The query's lists are ignored: it names the wrong number as withdrawn and an unknown one.
    const r = await finish(revoke, query({ client: clientId, channels: [both[1]!], revoked: [both[0]!, "UnknownXCH"], state: revoke.state }));
    expect(r.ok).toBe(true);
    expect(await session(revoke.sessionId)).toMatchObject({ channelExternalIds: [both[0]], revokedExternalIds: [both[1]] });
    expect(await permissions()).toEqual({ [both[0]!]: "granted", [both[1]!]: "revoked" });
    expect(await world.db().$count(channels, eq(channels.externalId, "UnknownXCH"))).toBe(0);
    const audits = await world.db().select().from(auditLog).where(eq(auditLog.action, "channel.permission_revoked"));
    expect(audits.map((a) => a.detail.externalId)).toContain(both[1]);
  });

  it("hands the state back when the hub cannot be reached, so the same browser can retry", async () => {
    const s = await begin();
    const { clientId, channelIds } = await onboard();
    const q = query({ client: clientId, channels: channelIds, state: s.state });
    const down = (h: Hub) => createPartnerApi({ ...FAST_TRANSPORT, retries: 0, baseUrl: "http://127.0.0.1:9", partnerId: h.partnerId, auth: { kind: "api_key", apiKey: "x" } });
    const r = await completeOnboarding({ query: q, browserBinding: s.binding, ip: "127.0.0.1" }, { partnerApi: down });
    expect(r).toMatchObject({ ok: false, error: { code: "hub_unavailable", status: 503 } });
    expect(await session(s.sessionId)).toMatchObject({ status: "redirected", consumedAt: null, clientId: null, error: "hub_unavailable" });
    expect(await clientRows(clientId)).toHaveLength(0);
    expect(await completeOnboarding({ query: q, browserBinding: s.binding, ip: "127.0.0.1" }, { partnerApi: partnerApiFor })).toMatchObject({ ok: true });
  });

  it("fuzz: any query string gives a typed result, never a throw, and links nothing", async () => {
    const s = await begin();
    const linkedBefore = await world.db().$count(onboardingSessions, eq(onboardingSessions.status, "completed"));
    const clientsBefore = await world.db().$count(clients);
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
    const piece = fc.oneof(
      fc.string(),
      fc.string({ unit: "binary" }),
      fc.constantFrom("<script>alert(1)</script>", "[", "]", ",", "%5B", "%2C", "%00", "\u202e", "'\"", "&", "=", "client=", "channels=[", "state="),
      id.map((v) => `client=${v}`),
      fc.array(id, { maxLength: 60 }).map((ids) => `channels=[${ids.join(",")}]`),
      fc.constant(`state=${s.state}`),
      fc.constant(`state=${newToken()}`),
      fc.constant(`client=${"A".repeat(10_000)}`),
    );
    const codes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 6 }).map((parts) => parts.join("&")), fc.constantFrom(s.binding, world.binding(), null), async (q, browserBinding) => {
        const r = await completeOnboarding({ query: q, browserBinding, ip: "127.0.0.1" }, { partnerApi: () => ({ getClient: async () => null, listAllChannels: async function* () {} }) as never });
        expect(typeof r.ok).toBe("boolean");
        if (!r.ok) codes.add(r.error.code);
        expect(r.ok).toBe(false);
      }),
      { numRuns: 400 },
    );
    expect(codes.size).toBeGreaterThan(2);
    expect(await world.db().$count(onboardingSessions, eq(onboardingSessions.status, "completed"))).toBe(linkedBefore);
    expect(await world.db().$count(clients)).toBe(clientsBefore);
  });
});
