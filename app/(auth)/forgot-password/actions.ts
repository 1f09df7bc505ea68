"use server";

import { z } from "zod";
import { requestPasswordReset } from "@/lib/auth/password-reset";
import { getClientIp } from "@/lib/auth/session";
import { validatedAction } from "@/lib/forms/validated-action";

const schema = z.object({ email: z.email("Enter a valid email address.").max(320) });

/** The same answer whether or not the address has an account (docs/accounts.md §4). */
export const forgotPasswordAction = validatedAction(schema, "public", async (input) => {
  const outcome = await requestPasswordReset(input.email, await getClientIp());
  if (outcome.throttled) {
    const minutes = Math.max(1, Math.ceil(outcome.retryAfterSeconds / 60));
    return { ok: false, message: `Too many requests. Wait ${minutes} minute${minutes === 1 ? "" : "s"}, then try again.` };
  }
  return {
    ok: true,
    message: "If an account with this address exists, we sent it a link to choose a new password. The link works once, for 30 minutes.",
  };
});
