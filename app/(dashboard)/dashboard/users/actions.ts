"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { userRoles } from "@/lib/auth/roles";
import { changeUserRole, createStaffUser, resetUserAccess, setUserDisabled } from "@/lib/auth/users";
import { publicBaseUrl } from "@/lib/env";
import { validatedAction } from "@/lib/forms/validated-action";

export type IssuedAccess = { email: string; oneTimePassword?: string; inviteUrl?: string };

const createSchema = z.object({
  email: z.email("Enter a valid email address.").max(320),
  name: z.string().trim().max(120).default(""),
  role: z.enum(userRoles, "Choose a role."),
  method: z.enum(["password", "invite"], "Choose how the user gets access."),
});

export const createUserAction = validatedAction<typeof createSchema, IssuedAccess>(createSchema, "admin", async (input, actor) => {
  const created = await createStaffUser(actor, input);
  revalidatePath("/dashboard/users");
  return {
    ok: true,
    message: `${created.user.email} was added as ${created.user.role}.`,
    data: {
      email: created.user.email,
      oneTimePassword: created.oneTimePassword,
      inviteUrl: created.inviteToken ? `${publicBaseUrl()}/invite/${created.inviteToken}` : undefined,
    },
  };
});

const roleSchema = z.object({ userId: z.uuid(), role: z.enum(userRoles, "Choose a role.") });

export const changeRoleAction = validatedAction(roleSchema, "admin", async (input, actor) => {
  await changeUserRole(actor, input.userId, input.role);
  revalidatePath("/dashboard/users");
  return { ok: true, message: "Role saved." };
});

// Disabling ends the user's sessions at once, so the form asks first and the action insists on the answer.
const disableSchema = z
  .object({ userId: z.uuid(), disabled: z.enum(["true", "false"]).transform((v) => v === "true"), confirm: z.literal("yes").optional() })
  .refine((v) => !v.disabled || v.confirm === "yes", { path: ["confirm"], message: "Confirm that this user should be disabled." });

export const setDisabledAction = validatedAction(disableSchema, "admin", async (input, actor) => {
  await setUserDisabled(actor, input.userId, input.disabled);
  revalidatePath("/dashboard/users");
  return { ok: true, message: input.disabled ? "User disabled: signed out everywhere." : "User enabled." };
});

const resetSchema = z.object({ userId: z.uuid(), method: z.enum(["password", "invite"]) });

export const resetAccessAction = validatedAction<typeof resetSchema, IssuedAccess>(resetSchema, "admin", async (input, actor) => {
  const issued = await resetUserAccess(actor, input.userId, input.method);
  revalidatePath("/dashboard/users");
  return {
    ok: true,
    message: "New access issued. The old password or link no longer works.",
    data: {
      email: "",
      oneTimePassword: issued.oneTimePassword,
      inviteUrl: issued.inviteToken ? `${publicBaseUrl()}/invite/${issued.inviteToken}` : undefined,
    },
  };
});
