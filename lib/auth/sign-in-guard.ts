import "server-only";
import { NextRequest } from "next/server";
import { publicBaseUrl } from "../env";
import { CLIENT_IP_HEADER } from "../http/client-ip";
import { parseCredentials, repeatedField, throttleSignIn } from "./credentials";

// Stands in front of next-auth's credentials endpoint. It reads the body once, refuses anything next-auth could
// read differently from us (another content type, a repeated field), counts the attempt and answers 429 once
// the email or the client IP is over its limit, so no password hash is checked during a lockout (R24). What
// next-auth then gets is a request rebuilt from exactly the fields that were throttled.

const FORM_TYPE = "application/x-www-form-urlencoded";
const MAX_BODY_BYTES = 16 * 1024;

export type GuardResult = { refused: Response } | { forward: NextRequest };

const noStore = { "Cache-Control": "no-store" };

function refuse(status: number, error: string, message: string, headers: Record<string, string> = {}): GuardResult {
  return { refused: Response.json({ error, message }, { status, headers: { ...noStore, ...headers } }) };
}

/** Whether next-auth treats the request as a credentials sign-in: decided from the route params it reads itself. */
export function isCredentialsCallback(nextauth: readonly string[] | undefined): boolean {
  return nextauth?.[0] === "callback" && nextauth[1] === "credentials";
}

export async function guardCredentialsSignIn(req: NextRequest, nextauth: readonly string[] | undefined): Promise<GuardResult> {
  if (!isCredentialsCallback(nextauth)) return { forward: req };
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== FORM_TYPE) return refuse(415, "unsupported_media_type", `Send the sign-in form as ${FORM_TYPE}.`);
  if (Number(req.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return refuse(413, "too_large", "The sign-in form is too large.");
  const text = await req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return refuse(413, "too_large", "The sign-in form is too large.");
  const form = new URLSearchParams(text);
  const repeated = repeatedField(form.keys());
  if (repeated) return refuse(400, "invalid_request", `The field "${repeated}" was sent more than once.`);

  const verdict = await throttleSignIn(parseCredentials(Object.fromEntries(form)), req.headers.get(CLIENT_IP_HEADER) ?? "unknown");
  if (!verdict.allowed) {
    return {
      refused: Response.json(
        { url: `${publicBaseUrl()}/login?error=throttled`, error: "throttled", retryAfterSeconds: verdict.retryAfterSeconds },
        { status: 429, headers: { ...noStore, "Retry-After": String(verdict.retryAfterSeconds) } },
      ),
    };
  }
  const headers = new Headers(req.headers);
  headers.set("content-type", FORM_TYPE);
  headers.delete("content-length");
  return { forward: new NextRequest(req.url, { method: "POST", headers, body: form.toString() }) };
}
