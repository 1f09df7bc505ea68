import "server-only";
import { NextRequest } from "next/server";
import { publicBaseUrl } from "../env";
import type { ErrorCode } from "../errors";
import { CLIENT_IP_HEADER } from "../http/client-ip";
import { refusal } from "../http/error-response";
import { parseCredentials, repeatedField, throttleSignIn } from "./credentials";

// Stands in front of next-auth's credentials endpoint. It reads the body once, refuses anything next-auth could
// read differently from us (another content type, a repeated field), counts the attempt and answers 429 once
// the email or the client IP is over its limit, so no password hash is checked during a lockout (docs/security.md R24). What
// next-auth then gets is a request rebuilt from exactly the fields that were throttled.

const FORM_TYPE = "application/x-www-form-urlencoded";
const MAX_BODY_BYTES = 16 * 1024;

export type GuardResult = { refused: Response } | { forward: NextRequest };

function refuse(code: ErrorCode, message: string, options: Parameters<typeof refusal>[2] = {}): GuardResult {
  return { refused: refusal(code, message, options) };
}

/** Whether next-auth treats the request as a credentials sign-in: decided from the route params it reads itself. */
export function isCredentialsCallback(nextauth: readonly string[] | undefined): boolean {
  return nextauth?.[0] === "callback" && nextauth[1] === "credentials";
}

export async function guardCredentialsSignIn(req: NextRequest, nextauth: readonly string[] | undefined): Promise<GuardResult> {
  if (!isCredentialsCallback(nextauth)) return { forward: req };
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== FORM_TYPE) return refuse("unsupported_media_type", `Send the sign-in form as ${FORM_TYPE}.`);
  if (Number(req.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return refuse("too_large", "The sign-in form is too large.");
  const text = await req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return refuse("too_large", "The sign-in form is too large.");
  const form = new URLSearchParams(text);
  const repeated = repeatedField(form.keys());
  if (repeated) return refuse("invalid:repeated_field", `The field "${repeated}" was sent more than once.`);

  const verdict = await throttleSignIn(parseCredentials(Object.fromEntries(form)), req.headers.get(CLIENT_IP_HEADER) ?? "unknown");
  if (!verdict.allowed) {
    // next-auth's client navigates to `url`, so it stays beside the problem; the login page explains ?error=throttled.
    return refuse("throttled:sign_in", "Too many sign-in attempts. Please wait and try again.", {
      headers: { "Retry-After": String(verdict.retryAfterSeconds) },
      extensions: { url: `${publicBaseUrl()}/login?error=throttled`, retryAfterSeconds: verdict.retryAfterSeconds },
    });
  }
  const headers = new Headers(req.headers);
  headers.set("content-type", FORM_TYPE);
  headers.delete("content-length");
  return { forward: new NextRequest(req.url, { method: "POST", headers, body: form.toString() }) };
}
