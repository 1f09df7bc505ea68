import { beforeAll, expect, it } from "vitest";
import type { Hub } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { completeOnboarding } from "../onboarding/complete";
import { recordEmbeddedSignupEvent } from "../onboarding/embedded-signup";
import { resolveInvite, revokeInvite } from "../onboarding/invites";
import { createOnboardingSession } from "../onboarding/sessions";
import { saveOnboardingSettings } from "../onboarding/settings";
import { onboardingWorld, partnerSpec } from "@/test/support/onboarding";
import { inviteFormSchema, issueInvite, loadInviteDetail, loadInviteList } from "./invites";

forEachDatabase("invite pages", (ctx) => {
  const world = onboardingWorld(ctx);
  // The sandbox's default partner: the one hub whose sign-ups can complete.
  let hub: Hub;
  beforeAll(async () => {
    hub = await world.seedHub();
  });

  async function issue(hubId: string, fields: Record<string, string> = {}) {
    return issueInvite(world.operator(), inviteFormSchema.parse({ hubId, ...fields }));
  }
  const tokenOf = (url: string) => url.slice(url.lastIndexOf("/") + 1);

  it("issues a link with its QR code and, with IO Signature off, the direct link", async () => {
    const issued = await issue(hub.id, { label: "Acme", "prefill.email": "ana@acme.test", maxUses: "2" });
    expect(issued.url).toMatch(/\/join\/[A-Za-z0-9_-]{43}$/);
    expect(issued.qrCode).toMatch(/^data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+$/);
    expect(new URL(issued.directLink!).searchParams.get("email")).toBe("ana@acme.test");
    const signed = await world.seedHub({ partner: partnerSpec("qrsig"), ioSignatureEnabled: true });
    expect((await issue(signed.id)).directLink).toBeNull();
  });

  it("lists each invite with its state, uses and latest step in words, paged by hub", async () => {
    const paged = await world.seedHub({ partner: partnerSpec("pages") });
    const quiet = await issue(paged.id, { label: "quiet" });
    const opened = await issue(paged.id, { label: "opened", "prefill.name": "Ana", "prefill.planSelection": "premium", maxUses: "3" });
    const revoked = await issue(paged.id, { label: "revoked" });
    await resolveInvite(tokenOf(opened.url), { recordOpen: true });
    await createOnboardingSession({ method: "popup", inviteToken: tokenOf(opened.url), browserBinding: world.binding(), ip: "127.0.0.1" });
    await revokeInvite(world.operator(), (await loadInviteList({ hub: paged.id })).rows.find((r) => r.label === "revoked")!.id);

    const list = await loadInviteList({ hub: paged.id });
    const row = (label: string) => list.rows.find((r) => r.label === label)!;
    expect(list.rows.map((r) => r.label)).toEqual(["revoked", "opened", "quiet"]);
    expect(row("quiet")).toMatchObject({ state: "valid", progress: null, useCount: 0, maxUses: null, linked: "No client yet" });
    expect(row("opened")).toMatchObject({ state: "valid", useCount: 1, maxUses: 3, prefill: "Ana · plan premium", progress: { words: "Popup opened" } });
    expect(row("revoked").state).toBe("revoked");
    expect([quiet, opened, revoked].some((i) => JSON.stringify(list).includes(tokenOf(i.url)))).toBe(false);
    expect((await loadInviteList({ hub: hub.id })).rows.map((r) => r.label)).not.toContain("quiet");

    for (let i = 0; i < 50; i++) await issue(paged.id, { label: `bulk ${i}` });
    const first = await loadInviteList({ hub: paged.id });
    expect(first.rows).toHaveLength(50);
    const next = new URLSearchParams(first.nextHref!.slice(1));
    expect(next.get("hub")).toBe(paged.id);
    const second = await loadInviteList({ hub: next.get("hub")!, after: next.get("after")! });
    expect(second.rows.map((r) => r.label)).toEqual(["revoked", "opened", "quiet"]);
    expect(second.nextHref).toBeNull();
    // A damaged cursor starts from the top instead of failing.
    expect((await loadInviteList({ hub: paged.id, after: "2025-01-01 00:00:00+00_nope" })).rows[0]!.label).toBe("bulk 49");
  });

  it("shows every session of an invite, newest first, each with its steps in order, status, error and client", async () => {
    const issued = await issue(hub.id, { label: "journey" });
    const token = tokenOf(issued.url);
    await resolveInvite(token, { recordOpen: true });

    const binding = world.binding();
    const done = await createOnboardingSession({ method: "popup", inviteToken: token, browserBinding: binding, ip: "127.0.0.1" });
    const { clientId, channelIds } = await world.sandbox.onboard({ phoneNumber: "+4915112345678" });
    expect((await completeOnboarding({ query: `client=${clientId}&channels=[${channelIds.join(",")}]&state=${done.state}`, browserBinding: binding, ip: "127.0.0.1" })).ok).toBe(true);

    await saveOnboardingSettings(world.operator(), hub.id, { solutionId: "123456789012345", metaAppId: "1", configId: "2" });
    const es = await createOnboardingSession({ method: "embedded_signup", inviteToken: token, browserBinding: binding, ip: "127.0.0.1" });
    await recordEmbeddedSignupEvent({ sessionId: es.sessionId, browserBinding: binding, event: "CANCEL", data: { current_step: "WABA_SELECTION" } });

    const list = await loadInviteList({ hub: hub.id });
    const detail = (await loadInviteDetail(list.rows.find((r) => r.label === "journey")!.id))!;
    expect(detail.linkSteps.map((s) => s.words)).toEqual(["Link opened"]);
    expect(detail.sessions).toHaveLength(2);
    const [cancelled, completed] = detail.sessions;
    expect(cancelled).toMatchObject({ method: "Embedded Signup", status: "Cancelled by the client", error: "The client closed Meta's signup at step WABA_SELECTION.", client: null });
    expect(cancelled!.steps.map((s) => s.words)).toEqual(["Onboarding started (Embedded Signup)", "Embedded Signup cancelled at step WABA_SELECTION"]);
    expect(completed).toMatchObject({ method: "Portal popup", status: "Completed: client and numbers linked", error: null, client: { externalId: clientId }, channelExternalIds: channelIds });
    expect(completed!.steps.map((s) => s.words)).toEqual([
      "Popup opened (Portal popup)",
      "Redirect received (1 number)",
      "Client confirmed",
      `Channel created: ${channelIds[0]}`,
      `Channel running: ${channelIds[0]}`,
    ]);
    const times = completed!.steps.map((s) => s.at.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(detail.invite).not.toHaveProperty("tokenHash");
    expect(detail.state).toBe("valid");
    expect(await loadInviteDetail("not-a-uuid")).toBeNull();
    expect(await loadInviteDetail("00000000-0000-4000-8000-00000000dead")).toBeNull();
  });
});
