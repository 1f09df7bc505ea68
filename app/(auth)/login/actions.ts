"use server";

import { redirect } from "next/navigation";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { parseCredentials, repeatedField, signInWithPassword, type SignInOutcome } from "@/lib/auth/credentials";
import { beginSecondFactor } from "@/lib/auth/second-factor";
import { issueSession } from "@/lib/auth/staff-sessions";
import { getClientIp } from "@/lib/auth/session";
import type { ActionState } from "@/lib/forms/validated-action";
import { SIGN_IN_MESSAGES, throttledMessage } from "./messages";

function refusal(outcome: Exclude<SignInOutcome, { ok: true }>): string {
  return outcome.reason === "throttled" ? throttledMessage(outcome.retryAfterSeconds) : SIGN_IN_MESSAGES[outcome.reason];
}

/**
 * The sign-in form. A server action, so the form is a POST whether or not JavaScript has loaded: a password
 * never travels in a URL. Same throttle and check as next-auth's credentials endpoint (lib/auth/credentials.ts);
 * the session it sets is the one next-auth would (lib/auth/issue-session.ts).
 */
export async function signInAction(_prev: ActionState | undefined, formData: FormData): Promise<ActionState> {
  // React's own fields ($ACTION_…) are left to React; every field of the form itself may appear once.
  if (repeatedField([...formData.keys()].filter((name) => !name.startsWith("$")))) {
    return { ok: false, message: SIGN_IN_MESSAGES.repeated };
  }
  const email = formData.get("email");
  const credentials = parseCredentials({ email, password: formData.get("password") });
  const outcome = await signInWithPassword(credentials, await getClientIp());
  if (!outcome.ok) return { ok: false, message: refusal(outcome), values: { email: typeof email === "string" ? email : "" } };
  const callbackUrl = safeCallbackPath(formData.get("callbackUrl"));
  if (outcome.secondFactorDue) {
    // The password was right; the session is set only after the second step (docs/accounts.md §1).
    await beginSecondFactor(outcome.user);
    redirect(`/login/second-factor?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  }
  await issueSession(outcome.user, "password");
  redirect(callbackUrl);
}
