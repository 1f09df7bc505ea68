import "server-only";
import { CLIENT_IP_HEADER } from "../http/client-ip";
import { registerLoginAttempt } from "./throttle";

/**
 * Runs before next-auth sees a credentials sign-in: counts the attempt and answers 429 once the email or the
 * client IP is over its limit, so no password hash is checked during a lockout (R24).
 */
export async function guardCredentialsSignIn(req: Request, baseUrl: string): Promise<Response | null> {
  const url = new URL(req.url);
  if (req.method !== "POST" || !url.pathname.endsWith("/callback/credentials")) return null;
  const form = await req.clone().formData().catch(() => null);
  const email = form?.get("email");
  const verdict = await registerLoginAttempt({
    email: typeof email === "string" ? email : "",
    ip: req.headers.get(CLIENT_IP_HEADER) ?? "unknown",
  });
  if (verdict.allowed) return null;
  return Response.json(
    { url: `${baseUrl}/login?error=throttled`, error: "throttled", retryAfterSeconds: verdict.retryAfterSeconds },
    { status: 429, headers: { "Retry-After": String(verdict.retryAfterSeconds), "Cache-Control": "no-store" } },
  );
}
