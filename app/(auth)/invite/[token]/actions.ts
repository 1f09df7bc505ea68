"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { getClientIp } from "@/lib/auth/session";
import { newPasswordSchema } from "@/lib/auth/schemas";
import { acceptUserInvite } from "@/lib/auth/users";
import { validatedAction } from "@/lib/forms/validated-action";

const schema = z
  .object({
    token: z.string().min(20).max(100),
    name: z.string().trim().max(120),
    password: newPasswordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The passwords do not match." });

export const acceptInviteAction = validatedAction(schema, "public", async (input) => {
  await acceptUserInvite(input.token, input, await getClientIp());
  redirect("/login?created=1");
});
