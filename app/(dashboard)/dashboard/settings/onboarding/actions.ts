"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { validatedAction } from "@/lib/forms/validated-action";
import { onboardingSettingsSchema, saveOnboardingSettings } from "@/lib/onboarding/settings";
import { activateEmbeddedSignup } from "@/lib/onboarding/settings-activation";

const saveSchema = onboardingSettingsSchema.extend({ hubId: z.uuid("That hub no longer exists.") });

export const saveOnboardingSettingsAction = validatedAction(saveSchema, "admin", async ({ hubId, ...settings }, actor) => {
  await saveOnboardingSettings(actor, hubId, settings);
  revalidatePath(`/dashboard/settings/onboarding/${hubId}`);
  redirect(`/dashboard/settings/onboarding/${hubId}?saved=1`);
});

const hubSchema = z.object({ hubId: z.uuid("That hub no longer exists.") });

export const activateEmbeddedSignupAction = validatedAction(hubSchema, "admin", async ({ hubId }, actor) => {
  const { solutionId } = await activateEmbeddedSignup(actor, hubId);
  return { ok: true, message: `Embedded Signup activated at 360dialog for Solution ID ${solutionId}.` };
});
