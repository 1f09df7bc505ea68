"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { completePasswordReset } from "@/lib/auth/password-reset";
import { newPasswordSchema } from "@/lib/auth/schemas";
import { getClientIp } from "@/lib/auth/session";
import { validatedAction } from "@/lib/forms/validated-action";

const schema = z
  .object({ token: z.string().min(20).max(100), password: newPasswordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The passwords do not match." });

export const resetPasswordAction = validatedAction(schema, "public", async (input) => {
  await completePasswordReset(input.token, input.password, await getClientIp());
  redirect("/login?reset=1");
});
