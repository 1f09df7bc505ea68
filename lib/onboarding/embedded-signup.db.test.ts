import { asc, eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { channels, clients, onboardingEvents, onboardingSessions, type Hub } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { recordEmbeddedSignupEvent } from "./embedded-signup";
import { createInvite } from "./invites";
import { createOnboardingSession } from "./sessions";
import { saveOnboardingSettings } from "./settings";
import { onboardingWorld, partnerSpec } from "@/test/support/onboarding";

const SOLUTION = "123456789012345";
const digits = () => String(Math.floor(1e14 + Math.random() * 9e14));

forEachDatabase("partner-hosted Embedded Signup", (ctx) => {
  const world = onboardingWorld(ctx);
  let hub: Hub;

  beforeAll(async () => {
    hub = await world.seedHub();
    await world.sandbox.partnerApi().updateAccountSharingSettings({ solutionId: SOLUTION, businessManagerId: null });
    await saveOnboardingSettings(world.operator(), hub.id, { solutionId: SOLUTION, metaAppId: "1111", configId: "2222", esTier: "basic" });
  });

  const begin = async (target: Hub = hub, inviteToken?: string) => {
    const binding = world.binding();
    const s = await createOnboardingSession(
      inviteToken
        ? { method: "embedded_signup", inviteToken, browserBinding: binding, ip: "127.0.0.1" }
        : { method: "embedded_signup", hubId: target.id, staffActor: world.operator(), browserBinding: binding, ip: "127.0.0.1" },
    );
    return { ...s, binding };
  };
  const send = (s: { sessionId: string; binding: string }, event: string, data: unknown, binding = s.binding) =>
    recordEmbeddedSignupEvent({ sessionId: s.sessionId, browserBinding: binding, event, data });
  const session = async (id: string) => (await world.db().select().from(onboardingSessions).where(eq(onboardingSessions.id, id)))[0]!;
  const kinds = async (id: string) =>
    (await world.db().select().from(onboardingEvents).where(eq(onboardingEvents.sessionId, id)).orderBy(asc(onboardingEvents.id))).map((e) => e.kind);

  it("starts with the SDK settings of the hub and no secret", async () => {
    const s = await begin();
    expect(s).toMatchObject({ method: "embedded_signup", state: null, ioUrl: null, connectButton: null });
    expect(s.embeddedSignup).toEqual({
      appId: "1111",
      configId: "2222",
      solutionId: SOLUTION,
      sdkUrl: `${world.sandbox.url}/meta/sdk.js`,
      messageOrigins: [world.sandbox.url],
      sessionInfoVersion: "3",
    });
    expect(JSON.stringify(s)).not.toMatch(/sandbox-platform-secret|sandbox-partner-key/);
  });

  it("on FINISH onboards the shared WABA, links its channel and completes; a second FINISH is refused", async () => {
    const s = await begin();
    const waba = digits();
    const r = await send(s, "FINISH", { waba_id: waba, business_id: digits(), phone_number_id: digits() });
    expect(r).toEqual({ ok: true, statusUrl: s.statusUrl });
    const row = await session(s.sessionId);
    expect(row.status).toBe("completed");
    expect(row.channelExternalIds).toHaveLength(1);
    const [channel] = await world.db().select().from(channels).where(eq(channels.externalId, row.channelExternalIds[0]!));
    expect(channel).toMatchObject({ hubId: hub.id, clientId: row.clientId });
    expect(await kinds(s.sessionId)).toEqual(["session_started", "es_finish", "client_confirmed", "channel_created", "channel_running"]);
    expect(await send(s, "FINISH", { waba_id: waba, business_id: digits() })).toMatchObject({ ok: false, error: { code: "state_reused" } });
  });

  it("reuses the client an invite names", async () => {
    const { clientId } = await world.sandbox.onboard({ phoneNumber: "+4915100000001" });
    const invite = await createInvite(world.operator(), { hubId: hub.id, prefill: { clientId } });
    const s = await begin(hub, invite.token);
    expect((await send(s, "FINISH", { waba_id: digits(), business_id: digits() })).ok).toBe(true);
    expect((await session(s.sessionId)).clientExternalId).toBe(clientId);
    expect(await world.db().$count(clients, eq(clients.externalId, clientId))).toBe(1);
  });

  it("records CANCEL with its step and ERROR with its message; the same browser may still finish after a cancel", async () => {
    const s = await begin();
    expect(await send(s, "CANCEL", { current_step: "PHONE_NUMBER_VERIFICATION" })).toEqual({ ok: true, statusUrl: null });
    expect(await session(s.sessionId)).toMatchObject({ status: "cancelled", error: "cancelled at PHONE_NUMBER_VERIFICATION", consumedAt: null });
    expect((await send(s, "FINISH", { waba_id: digits(), business_id: digits() })).ok).toBe(true);
    expect(await kinds(s.sessionId)).toEqual(expect.arrayContaining(["es_cancel", "es_finish", "client_confirmed"]));

    const e = await begin();
    expect((await send(e, "ERROR", { error_message: "Something broke\u0000 <b>x</b>" })).ok).toBe(true);
    expect(await session(e.sessionId)).toMatchObject({ status: "failed", error: "embedded signup error: Something broke  <b>x</b>" });
    expect(await kinds(e.sessionId)).toContain("es_error");
  });

  it("refuses another browser, unknown sessions, malformed messages", async () => {
    const s = await begin();
    expect(await send(s, "FINISH", { waba_id: digits(), business_id: digits() }, world.binding())).toMatchObject({ ok: false, error: { code: "state_foreign_browser" } });
    expect(await send(s, "CANCEL", {}, "")).toMatchObject({ ok: false, error: { code: "state_foreign_browser" } });
    expect(await send({ ...s, sessionId: "00000000-0000-4000-8000-00000000beef" }, "CANCEL", {})).toMatchObject({ ok: false, error: { code: "state_unknown" } });
    expect(await send({ ...s, sessionId: "nope" }, "CANCEL", {})).toMatchObject({ ok: false, error: { code: "state_unknown" } });
    for (const [event, data] of [
      ["FINISH", { waba_id: "abc", business_id: "1" }],
      ["FINISH", {}],
      ["DANCE", {}],
      ["CANCEL", { current_step: "<script>" }],
      ["ERROR", { error_message: "x".repeat(5000) }],
    ] as const) {
      expect(await send(s, event, data)).toMatchObject({ ok: false, error: { code: "bad_event", status: 400 } });
    }
    expect(await session(s.sessionId)).toMatchObject({ status: "started", consumedAt: null });
  });

  it("gives the session back when 360dialog refuses the onboarding, so FINISH can be sent again", async () => {
    const spec = partnerSpec("esfail");
    await world.seedPartner(spec);
    const other = await world.seedHub({ partner: spec });
    await saveOnboardingSettings(world.operator(), other.id, { solutionId: SOLUTION, metaAppId: "1", configId: "2" });
    const s = await begin(other);
    const data = { waba_id: digits(), business_id: digits() };
    expect(await send(s, "FINISH", data)).toMatchObject({ ok: false, error: { code: "onboarding_failed", status: 502 } });
    expect(await session(s.sessionId)).toMatchObject({ status: "failed", consumedAt: null, clientId: null });
    await world.sandbox.partnerApi({ kind: "api_key", apiKey: spec.apiKey }, { partnerId: spec.id }).updateAccountSharingSettings({ solutionId: SOLUTION, businessManagerId: null });
    expect((await send(s, "FINISH", data)).ok).toBe(true);
  });
});
