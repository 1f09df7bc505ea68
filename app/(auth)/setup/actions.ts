"use server";

import { redirect } from "next/navigation";
import { getClientIp } from "@/lib/auth/session";
import { createFirstAdmin } from "@/lib/auth/users";
import { newPasswordSchema } from "@/lib/auth/schemas";
import { validatedAction } from "@/lib/forms/validated-action";
import { z } from "zod";

const schema = z
  .object({
    name: z.string().trim().min(1, "Enter your name.").max(120),
    email: z.email("Enter a valid email address.").max(320),
    password: newPasswordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The passwords do not match." });

export const setupAction = validatedAction(schema, "public", async (input) => {
  await createFirstAdmin(input, await getClientIp());
  redirect("/login?created=1");
});
