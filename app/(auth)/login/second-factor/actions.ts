"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { completeSecondFactorWithCode } from "@/lib/auth/second-factor";
import { getClientIp } from "@/lib/auth/session";
import { validatedAction } from "@/lib/forms/validated-action";

const schema = z.object({
  code: z.string().trim().min(1, "Type the code.").max(40),
  callbackUrl: z.string().max(2048).optional(),
});

/** The second step of a sign-in: "public", the pending sign-in's cookie says who (lib/auth/second-factor.ts). */
export const secondFactorAction = validatedAction(schema, "public", async (input) => {
  await completeSecondFactorWithCode(input.code, await getClientIp());
  redirect(safeCallbackPath(input.callbackUrl));
});
