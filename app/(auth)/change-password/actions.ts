"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { issueSession } from "@/lib/auth/staff-sessions";
import { newPasswordSchema } from "@/lib/auth/schemas";
import { changeOwnPassword } from "@/lib/auth/users";
import { validatedAction } from "@/lib/forms/validated-action";

const schema = z
  .object({ currentPassword: z.string().min(1, "Enter your current password."), newPassword: newPasswordSchema, confirm: z.string() })
  .refine((v) => v.newPassword === v.confirm, { path: ["confirm"], message: "The passwords do not match." });

export const changePasswordAction = validatedAction(schema, "password-change", async (input, user) => {
  // Every other session of this user ends with the change; this browser gets a session on the new version.
  await issueSession(await changeOwnPassword(user.id, input), "password");
  redirect("/dashboard");
});
