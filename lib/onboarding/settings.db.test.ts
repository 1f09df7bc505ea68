import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { auditLog, hubs } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { forEachDatabase } from "@/test/db/databases";
import { getOnboardingSettings, saveOnboardingSettings } from "./settings";
import { onboardingWorld } from "@/test/support/onboarding";

forEachDatabase("onboarding settings storage", (ctx) => {
  const world = onboardingWorld(ctx);

  it("stores under settings.onboarding without touching other keys, and audits the changed fields", async () => {
    const hub = await world.seedHub({ settings: { stuck: { notRunningHours: 12 } } });
    await saveOnboardingSettings(world.operator(), hub.id, { trigger: "connect_button", brandName: "Acme", defaultLang: "de" });
    await saveOnboardingSettings(world.operator(), hub.id, { trigger: "connect_button", brandName: "Acme", defaultLang: "de", accentColor: "#000000" });
    const [row] = await world.db().select().from(hubs).where(eq(hubs.id, hub.id));
    expect(row!.settings.stuck).toEqual({ notRunningHours: 12 });
    expect(getOnboardingSettings(row!)).toMatchObject({ trigger: "connect_button", brandName: "Acme", defaultLang: "de", accentColor: "#000000" });
    const entries = await world.db().select().from(auditLog).where(eq(auditLog.action, "onboarding.settings_updated"));
    expect(entries.map((e) => e.detail.changed)).toEqual([["trigger", "brandName", "defaultLang"], ["accentColor"]]);
  });

  it("refuses invalid input with field errors and an unknown hub", async () => {
    const hub = await world.seedHub({ partner: { id: "setBadPA", apiKey: "k-setbad-123", platformSecret: "s-setbad-123" } });
    const bad = await saveOnboardingSettings(world.operator(), hub.id, { accentColor: "blue", solutionId: "12" }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AppError);
    expect(Object.keys((bad as AppError).fieldErrors ?? {}).sort()).toEqual(["accentColor", "solutionId"]);
    const missing = await saveOnboardingSettings(world.operator(), "00000000-0000-4000-8000-00000000f00d", {}).catch((e: unknown) => e);
    expect((missing as AppError).code).toBe("not_found:hub");
  });
});
