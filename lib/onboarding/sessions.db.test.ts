import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "@/db/client";
import { consumeSession } from "@/db/queries/onboarding";
import { authThrottle, hubs, invites, onboardingEvents, onboardingSessions } from "@/db/schema";
import { verifyIoSignature } from "@/lib/hub/io-signature";
import { AppError } from "@/lib/errors";
import { completeSignup, getPage } from "@/test/contract/support";
import { forEachDatabase, freshDatabase, unavailableReason } from "@/test/db/databases";
import { setTestAppEnv, bindAppDatabase } from "@/test/db/use-as-app-db";
import { createInvite } from "./invites";
import { createOnboardingSession, type CreateSessionInput } from "./sessions";
import { hashToken } from "./tokens";
import { OPERATOR_ID, PORTAL_URL, onboardingWorld, partnerSpec, seedOperator } from "@/test/support/onboarding";

const operator = { id: OPERATOR_ID, email: "op@partner.test", role: "operator" as const };
const viewer = { ...operator, role: "viewer" as const };

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const outcome = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(AppError);
  return outcome as AppError;
}

forEachDatabase("onboarding sessions", (ctx) => {
  const world = onboardingWorld(ctx);
  const start = (input: Partial<CreateSessionInput>) =>
    createOnboardingSession({ method: "popup", browserBinding: world.binding(), ip: `198.51.100.${Math.floor(Math.random() * 250)}`, ...input });

  it("with open signup: one hub found without hubId, state and status token stored only as hashes", async () => {
    const hub = await world.seedHub({ openSignup: true });
    const binding = world.binding();
    const s = await start({ browserBinding: binding, prefill: { email: "ana@client.test", name: "Ana", number: "+49 151 2345678" }, lang: "de" });
    const url = new URL(s.ioUrl!);
    expect(url.origin + url.pathname).toBe(`${world.sandbox.url}/dashboard/app/sandboxPA`);
    expect(url.searchParams.get("state")).toBe(s.state);
    expect(url.searchParams.get("redirect_url")).toBe(`${PORTAL_URL}/onboarding/redirect`);
    expect(s.ioUrl).toContain("?number=+491512345678&"); // unencoded, as the Connect Button sends it (docs/hub-contract.md §1.2)
    expect(url.searchParams.get("email")).toBe("ana@client.test");
    expect(url.searchParams.get("lang")).toBe("de");
    expect(url.searchParams.has("io_signature")).toBe(false);
    expect(s.statusUrl).toBe(`/onboarding/status/${s.statusToken}`);
    const [row] = await world.db().select().from(onboardingSessions).where(eq(onboardingSessions.id, s.sessionId));
    expect(row).toMatchObject({ hubId: hub.id, method: "popup", status: "started", stateHash: hashToken(s.state!), browserBindingHash: hashToken(binding) });
    expect(row!.statusTokenHash).toBe(hashToken(s.statusToken));
    expect(JSON.stringify(row)).not.toContain(s.state!);
    expect(row!.expiresAt.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    const events = await world.db().select().from(onboardingEvents).where(eq(onboardingEvents.sessionId, s.sessionId));
    expect(events.map((e) => e.kind)).toEqual(["popup_opened"]);
  });

  it("sends 360dialog the closest language its onboarding takes, and records the client's own (docs/i18n.md §5)", async () => {
    const pt = await start({ lang: "pt-BR" });
    expect(new URL(pt.ioUrl!).searchParams.get("lang")).toBe("pt");
    expect(pt.lang).toBe("pt-BR");
    const es = await start({ lang: "es" });
    expect(new URL(es.ioUrl!).searchParams.has("lang")).toBe(false); // not one it is known to take: 360dialog chooses
    const [row] = await world.db().select().from(onboardingSessions).where(eq(onboardingSessions.id, es.sessionId));
    expect(row!.prefill.lang).toBe("es"); // the status page speaks it
  });

  it("anonymous visitors cannot set plan, partner payload or client id", async () => {
    const s = await start({ prefill: { email: "a@b.test", planSelection: "premium", partnerPayload: "crm-1", clientId: "abcdefghCL" } });
    const url = new URL(s.ioUrl!);
    expect(url.searchParams.has("plan_selection")).toBe(false);
    expect(url.searchParams.has("partner")).toBe(false);
    expect(url.searchParams.get("email")).toBe("a@b.test");
  });

  it("refuses an anonymous start when no hub has open signup (R10)", async () => {
    await world.db().update(hubs).set({ openSignup: false }).where(sql`true`);
    const before = await world.db().$count(onboardingSessions);
    const error = await refusal(start({}));
    expect(error.code).toBe("forbidden:onboarding");
    expect(error.status).toBe(403);
    expect(error.publicMessage).toMatch(/ask your provider for an invite link/i);
    expect(await world.db().$count(onboardingSessions)).toBe(before);
  });

  it("lets an operator start without open signup, but not a viewer", async () => {
    const closed = await world.seedHub({ partner: partnerSpec("staff"), openSignup: false });
    const s = await start({ hubId: closed.id, staffActor: operator, prefill: { partnerPayload: "crm-7", planSelection: "premium" } });
    expect(new URL(s.ioUrl!).searchParams.get("partner")).toBe("crm-7");
    expect((await refusal(start({ hubId: closed.id, staffActor: viewer }))).code).toBe("forbidden:onboarding");
  });

  it("asks which hub when several have open signup", async () => {
    await world.seedHub({ partner: partnerSpec("openA"), openSignup: true });
    const b = await world.seedHub({ partner: partnerSpec("openB"), openSignup: true });
    expect((await refusal(start({}))).code).toBe("invalid:hub");
    expect((await start({ hubId: b.id })).sessionId).toBeTruthy();
    await world.db().update(hubs).set({ openSignup: false }).where(sql`true`);
  });

  it("accepts a valid invite and refuses expired, revoked, used-up and unknown ones", async () => {
    const hub = await world.seedHub({ partner: partnerSpec("inv"), openSignup: false });
    const mk = async (over: Partial<typeof invites.$inferInsert> = {}) => {
      const created = await createInvite(operator, { hubId: hub.id, prefill: { email: "lead@client.test", partnerPayload: "crm-9" } });
      if (Object.keys(over).length) await world.db().update(invites).set(over).where(eq(invites.id, created.invite.id));
      return created;
    };
    const valid = await mk({ maxUses: 2 });
    const s = await start({ inviteToken: valid.token, prefill: { email: "typed@client.test", name: "Typed" } });
    const url = new URL(s.ioUrl!);
    expect(url.searchParams.get("email")).toBe("lead@client.test"); // the invite's prefill wins
    expect(url.searchParams.get("name")).toBe("Typed");
    expect(url.searchParams.get("partner")).toBe("crm-9");
    const [after] = await world.db().select().from(invites).where(eq(invites.id, valid.invite.id));
    expect(after!.useCount).toBe(1);
    expect((await world.db().select().from(onboardingSessions).where(eq(onboardingSessions.id, s.sessionId)))[0]!.inviteId).toBe(valid.invite.id);

    const expired = await mk({ expiresAt: new Date(Date.now() - 1000) });
    const revoked = await mk({ revokedAt: new Date() });
    const usedUp = await mk({ maxUses: 1, useCount: 1 });
    expect((await refusal(start({ inviteToken: expired.token }))).code).toBe("forbidden:invite_expired");
    expect((await refusal(start({ inviteToken: revoked.token }))).code).toBe("forbidden:invite_revoked");
    expect((await refusal(start({ inviteToken: usedUp.token }))).code).toBe("forbidden:invite_used_up");
    expect((await refusal(start({ inviteToken: "x".repeat(43) }))).code).toBe("forbidden:invite");
    expect((await refusal(start({ inviteToken: "<script>" }))).code).toBe("forbidden:invite");
    const other = await world.seedHub({ partner: partnerSpec("inv2") });
    expect((await refusal(start({ inviteToken: valid.token, hubId: other.id }))).code).toBe("forbidden:invite_hub");
    // A refused start takes no use.
    const [still] = await world.db().select().from(invites).where(eq(invites.id, usedUp.invite.id));
    expect(still!.useCount).toBe(1);
  });

  it("rate-limits anonymous starts per IP", async () => {
    const hub = await world.seedHub({ partner: partnerSpec("rate"), openSignup: true });
    const ip = "203.0.113.77";
    for (let i = 0; i < 20; i++) await start({ hubId: hub.id, ip });
    expect((await refusal(start({ hubId: hub.id, ip }))).code).toBe("throttled:onboarding");
    expect((await start({ hubId: hub.id, ip: "203.0.113.78" })).sessionId).toBeTruthy();
    await world.db().update(hubs).set({ openSignup: false }).where(eq(hubs.id, hub.id));
  });

  it("opens the permission screen for a permission invite, with the number", async () => {
    const spec = partnerSpec("perm", "direct");
    await world.seedPartner(spec);
    const hub = await world.seedHub({ partner: spec, paymentMode: "direct" });
    const { clientId } = await world.sandbox.control<{ clientId: string }>("/onboard", { partnerId: spec.id, phoneNumber: "+4915112345678" });
    const invite = await createInvite(operator, { hubId: hub.id, purpose: "permission", prefill: { number: "+4915112345678", clientId } });
    const s = await start({ method: "popup", inviteToken: invite.token });
    expect(s.method).toBe("permission");
    const url = new URL(s.ioUrl!);
    expect(url.pathname).toBe(`/dashboard/app/${spec.id}/permissions`);
    expect(s.ioUrl).toContain("?number=+4915112345678&");
    expect(url.searchParams.get("client_id")).toBe(clientId);
    expect(url.searchParams.get("redirect_url")).toBe(`${PORTAL_URL}/onboarding/redirect`);
  });

  it("signs the IO URL per start when IO Signature is on: verifiable, distinct, accepted once by the hub", async () => {
    const spec = partnerSpec("sig");
    await world.seedPartner({ ...spec, ioSignature: true, encoding: "hex" });
    const hub = await world.seedHub({ partner: spec, ioSignatureEnabled: true, ioSignatureEncoding: "hex", openSignup: true });
    const sessions = [];
    for (let i = 0; i < 3; i++) sessions.push(await start({ hubId: hub.id }));
    const sigs = sessions.map((s) => new URL(s.ioUrl!).searchParams);
    expect(new Set(sigs.map((p) => p.get("io_signature"))).size).toBe(3);
    expect(new Set(sigs.map((p) => p.get("io_timestamp"))).size).toBe(3);
    for (const p of sigs) {
      const verdict = verifyIoSignature({ partnerId: spec.id, secrets: [spec.platformSecret], signature: p.get("io_signature"), timestamp: p.get("io_timestamp"), encoding: "hex" });
      expect(verdict).toEqual({ ok: true });
      expect(Math.abs(Number(p.get("io_timestamp")) - Date.now() / 1000)).toBeLessThan(10);
    }
    // The sandbox checks the signature independently and refuses a second use or a tampered one.
    const first = await getPage(sessions[0]!.ioUrl!);
    expect(first.status).toBe(200);
    expect((await getPage(sessions[0]!.ioUrl!)).status).toBe(403);
    const tampered = new URL(sessions[1]!.ioUrl!);
    tampered.searchParams.set("io_signature", "0".repeat(128));
    expect((await getPage(tampered.toString())).status).toBe(403);
    await world.db().update(hubs).set({ openSignup: false }).where(eq(hubs.id, hub.id));
  });

  it("sends no signature when the hub has it off, and refuses to start when it is on without a platform secret", async () => {
    const off = await world.seedHub({ partner: partnerSpec("nosig"), ioSignatureEnabled: false });
    expect(new URL((await start({ hubId: off.id, staffActor: operator })).ioUrl!).searchParams.has("io_signature")).toBe(false);
    const broken = await world.seedHub({ partner: partnerSpec("nosecret"), ioSignatureEnabled: true, platformSecret: null });
    expect((await refusal(start({ hubId: broken.id, staffActor: operator }))).code).toBe("unavailable:io_signature");
  });

  it("gives Connect Button props that build the same URL, redirecting to the hosting page; falls back to the popup otherwise", async () => {
    const local = await world.seedHub({ partner: partnerSpec("cb"), ioBaseUrl: "http://localhost:8082/dashboard/app" });
    const invite = await createInvite(operator, { hubId: local.id, prefill: { number: "+4915112345678", email: "x@y.test" } });
    const s = await start({ method: "connect_button", inviteToken: invite.token });
    expect(s.method).toBe("connect_button");
    expect(s.connectButton).toMatchObject({ partnerId: local.partnerId, env: "local", version: "v1", requestedNumber: "+4915112345678" });
    const qp = s.connectButton!.queryParameters;
    expect(qp.redirect_url).toBe(`${PORTAL_URL}/join/${invite.token}`);
    expect(qp.state).toBe(s.state);
    // The package's own construction (docs/hub-contract.md §1.2) yields exactly ioUrl.
    let built = `http://localhost:8082/dashboard/app/${local.partnerId}?number=+4915112345678`;
    for (const [k, v] of Object.entries(qp)) built += `&${k}=${encodeURIComponent(v)}`;
    expect(built).toBe(s.ioUrl);

    const home = await start({ method: "connect_button", hubId: local.id, staffActor: operator, returnPath: "/" });
    expect(home.connectButton!.queryParameters.redirect_url).toBe(`${PORTAL_URL}/`);
    expect((await refusal(start({ method: "connect_button", hubId: local.id, staffActor: operator, returnPath: "//evil.test" }))).code).toBe("invalid:return_path");

    const custom = await world.seedHub({ partner: partnerSpec("cbx") });
    const fallback = await start({ method: "connect_button", hubId: custom.id, staffActor: operator });
    expect(fallback.method).toBe("popup");
    expect(fallback.connectButton).toBeNull();
    expect(fallback.notice).toMatch(/popup/);
    expect(new URL(fallback.ioUrl!).searchParams.get("redirect_url")).toBe(`${PORTAL_URL}/onboarding/redirect`);
  });

  it("refuses Embedded Signup until the hub has it configured", async () => {
    const hub = await world.seedHub({ partner: partnerSpec("esoff") });
    expect((await refusal(start({ method: "embedded_signup", hubId: hub.id, staffActor: operator }))).code).toBe("unavailable:embedded_signup");
  });

  // A start from a browser that already has an open session for the same link or start page hands that session
  // back with a new state: reloads and repeated clicks take no second invite use and no per-IP slot.
  const sessionRow = async (id: string) => (await world.db().select().from(onboardingSessions).where(eq(onboardingSessions.id, id)))[0]!;
  const inviteRow = async (id: string) => (await world.db().select().from(invites).where(eq(invites.id, id)))[0]!;
  const throttleCount = async (key: string) => (await world.db().select().from(authThrottle).where(eq(authThrottle.key, key)))[0]?.attempts ?? 0;

  it("reopens this browser's open session of a one-use invite: same session, new state, one use, the old state dead", async () => {
    const hub = await world.seedHub({ partner: partnerSpec("again"), openSignup: false });
    const invite = await createInvite(operator, { hubId: hub.id, maxUses: 1, prefill: { email: "once@client.test" } });
    const binding = world.binding();
    const ip = "203.0.113.90";
    const first = await start({ inviteToken: invite.token, browserBinding: binding, ip });
    const second = await start({ inviteToken: invite.token, browserBinding: binding, ip, lang: "de" });
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.statusUrl).toBe(first.statusUrl);
    expect(second.state).not.toBe(first.state);
    expect(new URL(second.ioUrl!).searchParams.get("state")).toBe(second.state);
    expect(new URL(second.ioUrl!).searchParams.get("lang")).toBe("de");

    const row = await sessionRow(first.sessionId);
    expect(row.stateHash).toBe(hashToken(second.state!));
    expect(row.prefill.lang).toBe("de");
    expect(await world.db().$count(onboardingSessions, eq(onboardingSessions.stateHash, hashToken(first.state!)))).toBe(0);
    expect(await world.db().$count(onboardingSessions, eq(onboardingSessions.inviteId, invite.invite.id))).toBe(1);
    expect((await inviteRow(invite.invite.id)).useCount).toBe(1);
    const events = await world.db().select().from(onboardingEvents).where(eq(onboardingEvents.sessionId, first.sessionId));
    expect(events.map((e) => e.kind)).toEqual(["popup_opened"]);
    // The IP paid for the first start only; the reopen is counted against the session.
    expect(await throttleCount(`onboard:${ip}`)).toBe(1);
    expect(await throttleCount(`onboard-reopen:${first.sessionId}`)).toBe(1);

    // Another browser finds the invite used up, and changes nothing.
    expect((await refusal(start({ inviteToken: invite.token, ip }))).code).toBe("forbidden:invite_used_up");
    expect((await inviteRow(invite.invite.id)).useCount).toBe(1);
    expect(await world.db().$count(onboardingSessions, eq(onboardingSessions.inviteId, invite.invite.id))).toBe(1);
    expect((await sessionRow(first.sessionId)).stateHash).toBe(hashToken(second.state!));
  });

  it("starts anew after the session was used or in another method; revoking the invite stops reopening", async () => {
    const hub = await world.seedHub({ partner: partnerSpec("after"), openSignup: false, ioBaseUrl: "http://localhost:8082/dashboard/app" });
    const invite = await createInvite(operator, { hubId: hub.id, maxUses: 3 });
    const binding = world.binding();
    const first = await start({ inviteToken: invite.token, browserBinding: binding });
    expect(await consumeSession({ db: world.db(), id: first.sessionId, browserBindingHash: hashToken(binding) })).toBeTruthy();
    const second = await start({ inviteToken: invite.token, browserBinding: binding });
    expect(second.sessionId).not.toBe(first.sessionId);
    const button = await start({ inviteToken: invite.token, browserBinding: binding, method: "connect_button" });
    expect(button.sessionId).not.toBe(second.sessionId);
    expect((await inviteRow(invite.invite.id)).useCount).toBe(3);

    await world.db().update(invites).set({ revokedAt: new Date() }).where(eq(invites.id, invite.invite.id));
    expect((await refusal(start({ inviteToken: invite.token, browserBinding: binding }))).code).toBe("forbidden:invite_revoked");
    expect((await sessionRow(second.sessionId)).stateHash).toBe(hashToken(second.state!));
  });

  it("reopens on the open start page without an IP slot, signs afresh each time, and limits reopening per session", async () => {
    const spec = partnerSpec("reopen");
    await world.seedPartner({ ...spec, ioSignature: true, encoding: "hex" });
    const hub = await world.seedHub({ partner: spec, ioSignatureEnabled: true, ioSignatureEncoding: "hex", openSignup: true });
    const ip = "203.0.113.91";
    const binding = world.binding();
    const first = await start({ hubId: hub.id, browserBinding: binding, ip });
    // Other browsers behind the same IP use up its limit (20 in tests).
    for (let i = 1; i < 20; i++) await start({ hubId: hub.id, ip });
    expect((await refusal(start({ hubId: hub.id, ip }))).code).toBe("throttled:onboarding");
    const before = await world.db().$count(onboardingSessions, eq(onboardingSessions.hubId, hub.id));

    // The first browser still reopens its own session, with a new signature each time.
    const signatures = new Set<string | null>([new URL(first.ioUrl!).searchParams.get("io_signature")]);
    for (let i = 0; i < 20; i++) {
      const again = await start({ hubId: hub.id, browserBinding: binding, ip });
      expect(again.sessionId).toBe(first.sessionId);
      const p = new URL(again.ioUrl!).searchParams;
      expect(verifyIoSignature({ partnerId: spec.id, secrets: [spec.platformSecret], signature: p.get("io_signature"), timestamp: p.get("io_timestamp"), encoding: "hex" })).toEqual({ ok: true });
      signatures.add(p.get("io_signature"));
    }
    expect(signatures.size).toBe(21);
    const limited = await refusal(start({ hubId: hub.id, browserBinding: binding, ip }));
    expect(limited.code).toBe("throttled:onboarding_reopen");
    expect(limited.publicMessage).toMatch(/started this sign-up many times/);
    expect(await world.db().$count(onboardingSessions, eq(onboardingSessions.hubId, hub.id))).toBe(before);
    await world.db().update(hubs).set({ openSignup: false }).where(eq(hubs.id, hub.id));
  });

  it("gives an operator a new session per start without an invite (one per client)", async () => {
    const hub = await world.seedHub({ partner: partnerSpec("staffnew"), openSignup: false });
    const binding = world.binding();
    const a = await start({ hubId: hub.id, staffActor: operator, browserBinding: binding, prefill: { email: "a@client.test" } });
    const b = await start({ hubId: hub.id, staffActor: operator, browserBinding: binding, prefill: { email: "b@client.test" } });
    expect(b.sessionId).not.toBe(a.sessionId);
    expect((await sessionRow(a.sessionId)).stateHash).toBe(hashToken(a.state!));
  });

  it("drives the sandbox's IO pages to a redirect that echoes state to our redirect URL", async () => {
    const spec = partnerSpec("io");
    await world.seedPartner(spec);
    const hub = await world.seedHub({ partner: spec, openSignup: true });
    const s = await start({ hubId: hub.id, prefill: { email: "flow@client.test", name: "Flow" } });
    const page = await getPage(s.ioUrl!);
    expect(page.status).toBe(200);
    const { response } = await completeSignup(world.sandbox.url, page.html, { email: "flow@client.test", fullName: "Flow", company: "Flow GmbH", phone: "+4915112345678" });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(`${PORTAL_URL}/onboarding/redirect`);
    expect(location.searchParams.get("state")).toBe(s.state);
    await world.db().update(hubs).set({ openSignup: false }).where(eq(hubs.id, hub.id));
  });
});

describe.skipIf(unavailableReason("postgres"))("invite use counting under concurrency [postgres]", () => {
  it("lets exactly one of 10 concurrent starts use a single-use invite", async () => {
    setTestAppEnv({ NEXTAUTH_URL: PORTAL_URL, LOG_LEVEL: "silent" });
    const fresh = await freshDatabase("postgres");
    const second = await openDatabase({ driver: "postgres", url: fresh.url! });
    const restore = bindAppDatabase(fresh.handle);
    try {
      await seedOperator(fresh.handle.db);
      const [hub] = await fresh.handle.db
        .insert(hubs)
        .values({ name: "Race", partnerId: "racePA", partnerApiBaseUrl: "http://127.0.0.1:9", ioBaseUrl: "http://127.0.0.1:9/dashboard/app" })
        .returning();
      for (let round = 0; round < 3; round++) {
        const invite = await createInvite(operator, { hubId: hub!.id, maxUses: 1 });
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) =>
            createOnboardingSession({ method: "popup", inviteToken: invite.token, browserBinding: `${"b".repeat(42)}${i}`, ip: `192.0.2.${round * 10 + i}` }),
          ),
        );
        const ok = results.filter((r) => r.status === "fulfilled");
        const refused = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as AppError);
        expect(ok).toHaveLength(1);
        expect(refused.map((e) => e.code)).toEqual(Array(9).fill("forbidden:invite_used_up"));
        const [row] = await second.db.select().from(invites).where(eq(invites.id, invite.invite.id));
        expect(row!.useCount).toBe(1);
        expect(await second.db.$count(onboardingSessions, eq(onboardingSessions.inviteId, invite.invite.id))).toBe(1);
      }
      // One browser's concurrent starts (a double click, two tabs) make one session and take one use.
      const invite = await createInvite(operator, { hubId: hub!.id, maxUses: 3 });
      const binding = "c".repeat(43);
      const results = await Promise.all(
        Array.from({ length: 6 }, () => createOnboardingSession({ method: "popup", inviteToken: invite.token, browserBinding: binding, ip: "192.0.2.99" })),
      );
      expect(new Set(results.map((r) => r.sessionId)).size).toBe(1);
      const [row] = await second.db.select().from(invites).where(eq(invites.id, invite.invite.id));
      expect(row!.useCount).toBe(1);
      expect(await second.db.$count(onboardingSessions, eq(onboardingSessions.inviteId, invite.invite.id))).toBe(1);
    } finally {
      restore();
      await second.close();
      await fresh.dispose();
    }
  });
});
