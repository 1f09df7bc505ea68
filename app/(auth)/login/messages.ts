import { ACCOUNT_DISABLED, SECOND_FACTOR_REQUIRED } from "@/lib/auth/options";

export const SIGN_IN_MESSAGES = {
  invalid: "Email or password is not correct.",
  disabled: "This account is disabled. Ask an admin of the portal to enable it again.",
  repeated: "The sign-in form was sent with a field twice. Reload the page and sign in again.",
  sessionRequired: "Please sign in to continue.",
  secondFactorRequired: "This account has two-factor sign-in. Sign in with this form: it asks for the second step.",
} as const;

export function throttledMessage(retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `Too many sign-in attempts. Wait ${minutes} minute${minutes === 1 ? "" : "s"}, then try again.`;
}

/** The message for an `?error=` code (set by next-auth's endpoint or the dashboard); unknown codes read as a failed sign-in. */
export function messageForErrorCode(code: string, windowSeconds: number): string {
  if (code === "throttled") return throttledMessage(windowSeconds);
  if (code === ACCOUNT_DISABLED) return SIGN_IN_MESSAGES.disabled;
  if (code === "SessionRequired") return SIGN_IN_MESSAGES.sessionRequired;
  if (code === SECOND_FACTOR_REQUIRED) return SIGN_IN_MESSAGES.secondFactorRequired;
  return SIGN_IN_MESSAGES.invalid;
}
