"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { resetTwoFactorOfUser } from "@/lib/auth/account-admin";
import { setPolicy, TWO_FACTOR_POLICIES } from "@/lib/auth/policy";
import { getClientIp } from "@/lib/auth/session";
import { endAllSessionsOfUser } from "@/lib/auth/staff-sessions";
import { validatedAction } from "@/lib/forms/validated-action";

// Admin actions of sign-in security on the Users page (docs/accounts.md §3, §5).

export const setPolicyAction = validatedAction(z.object({ policy: z.enum(TWO_FACTOR_POLICIES, "Choose a policy.") }), "admin", async (input, actor) => {
  await setPolicy(actor, input.policy, await getClientIp());
  revalidatePath("/dashboard/users");
  return { ok: true, message: "Two-factor policy saved." };
});

const userSchema = z.object({ userId: z.uuid(), email: z.string().max(320) });

export const endUserSessionsAction = validatedAction(userSchema, "admin", async (input, actor) => {
  const ended = await endAllSessionsOfUser(actor, input.userId, input.email, await getClientIp());
  revalidatePath("/dashboard/users");
  return { ok: true, message: ended === 1 ? "1 session ended." : `${ended} sessions ended.` };
});

export const resetTwoFactorAction = validatedAction(userSchema.extend({ confirm: z.literal("yes", "Confirm the reset.") }), "admin", async (input, actor) => {
  await resetTwoFactorOfUser(actor, input.userId, await getClientIp());
  revalidatePath("/dashboard/users");
  return { ok: true, message: "Second factors removed and sessions ended." };
});
