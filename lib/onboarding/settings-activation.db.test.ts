import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { forEachDatabase } from "@/test/db/databases";
import { saveOnboardingSettings } from "./settings";
import { activateEmbeddedSignup } from "./settings-activation";
import { onboardingWorld, partnerSpec } from "@/test/support/onboarding";

const SOLUTION = "123456789012345";

forEachDatabase("activating Embedded Signup at the hub", (ctx) => {
  const world = onboardingWorld(ctx);

  it("sends the saved Solution ID to the hub, which then accepts account sharing with it, and audits it", async () => {
    const spec = partnerSpec("esact");
    await world.seedPartner(spec);
    const hub = await world.seedHub({ partner: spec });
    const api = world.sandbox.partnerApi({ kind: "api_key", apiKey: spec.apiKey }, { partnerId: spec.id });
    const share = () => api.onboardSharedWaba({ solutionId: SOLUTION, wabaExternalId: "9001", wabaBusinessId: "9002" });
    await expect(share()).rejects.toMatchObject({ status: 400 });

    await saveOnboardingSettings(world.operator(), hub.id, { solutionId: SOLUTION });
    expect(await activateEmbeddedSignup(world.operator(), hub.id)).toEqual({ solutionId: SOLUTION });
    expect((await share()).clientId).toMatch(/\S/);
    const entries = await world.db().select().from(auditLog).where(eq(auditLog.targetId, hub.id));
    expect(entries.filter((e) => e.action === "onboarding.embedded_signup_activated").map((e) => e.detail)).toEqual([{ solutionId: SOLUTION }]);
  });

  it("explains a missing Solution ID, refused credentials and an unknown hub in plain words, and audits nothing", async () => {
    const spec = partnerSpec("esbad");
    await world.seedPartner(spec);
    const hub = await world.seedHub({ partner: spec });
    const missing = await activateEmbeddedSignup(world.operator(), hub.id).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: "invalid:solution_id", publicMessage: "Save a Solution ID in the Embedded Signup settings first." });

    const wrongKey = await world.seedHub({ partner: { ...partnerSpec("eswrong"), id: `${spec.id.slice(0, -2)}xPA`, apiKey: "not-the-key" } });
    await saveOnboardingSettings(world.operator(), wrongKey.id, { solutionId: SOLUTION });
    const refused = await activateEmbeddedSignup(world.operator(), wrongKey.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).publicMessage).toMatch(/^360dialog (refused the Partner API credentials|does not know this partner ID)/);
    expect((refused as AppError).publicMessage).not.toContain("not-the-key");

    const unknown = await activateEmbeddedSignup(world.operator(), "00000000-0000-4000-8000-00000000f00d").catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: "not_found:hub" });
    const audited = await world.db().select().from(auditLog).where(eq(auditLog.action, "onboarding.embedded_signup_activated"));
    expect(audited.filter((e) => e.hubId === hub.id || e.hubId === wrongKey.id)).toEqual([]);
  });
});
