import "server-only";
import type { z } from "zod";
import { fieldErrorsOf, type ErrorCode } from "../errors";
import { CLIENT_IP_HEADER } from "../http/client-ip";
import { errorResponse, refusal } from "../http/error-response";
import { readJsonRequest } from "../http/json-body";
import { failureError, type OnboardingFailure } from "./outcomes";
import { browserBindingCookie, browserBindingCookieName, type CookieOptions } from "./tokens";

// Request plumbing shared by the onboarding route handlers: JSON bodies with a cap, the same-origin check of
// cookie-bound POSTs (docs/security.md R25), the binding cookie, and no-store answers that never send a Referer onward (docs/security.md R16).

export const MAX_BODY_BYTES = 16 * 1024;

export const NO_STORE_HEADERS = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" } as const;

export function clientIpOf(request: Request): string {
  return request.headers.get(CLIENT_IP_HEADER) ?? "unknown";
}

export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function readBindingCookie(request: Request): string | null {
  return readCookie(request, browserBindingCookieName());
}

export function serializeCookie(cookie: CookieOptions): string {
  return [`${cookie.name}=${cookie.value}`, `Path=${cookie.path}`, `Max-Age=${cookie.maxAge}`, "HttpOnly", "SameSite=Lax", ...(cookie.secure ? ["Secure"] : [])].join(
    "; ",
  );
}

export function bindingSetCookie(value: string): string {
  return serializeCookie(browserBindingCookie(value));
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...NO_STORE_HEADERS, ...headers } });
}

/** Any thrown value as the onboarding API answers it (errorResponse() with the onboarding's no-referrer headers). */
export function onboardingError(error: unknown, where: string, headers: Record<string, string> = {}): Response {
  return errorResponse(error, { where: `onboarding:${where}`, headers: { ...NO_STORE_HEADERS, ...headers } });
}

const refuse = (code: ErrorCode, message: string, headers: Record<string, string> = {}, fieldErrors?: Record<string, string[]>) =>
  refusal(code, message, { headers: { ...NO_STORE_HEADERS, ...headers }, fieldErrors });

/** A redirect or Embedded Signup failure; the client shows its German words by the code. */
export function failureResponse(failure: OnboardingFailure): Response {
  return onboardingError(failureError(failure), "failure");
}

export const forbiddenOrigin = () => refuse("forbidden:origin", "This request did not come from this site.");

export const notFound = (message: string) => refuse("not_found", message);

export type BodyResult<T> = { ok: true; value: T } | { ok: false; response: Response };

/** A body that has not arrived by BODY_READ_TIMEOUT_MS: the connection is closed with the answer (docs/security.md R2). */
const bodyTimeout = () => refuse("timeout", "The request took too long to arrive.", { Connection: "close" });

/**
 * Reads at most MAX_BODY_BYTES of JSON within BODY_READ_TIMEOUT_MS and parses it with `schema`; any failure is a
 * ready 4xx answer.
 */
export async function readJsonBody<S extends z.ZodType>(request: Request, schema: S): Promise<BodyResult<z.output<S>>> {
  const body = await readJsonRequest(request, MAX_BODY_BYTES);
  if (!body.ok) {
    if (body.reason === "timeout") return { ok: false, response: bodyTimeout() };
    if (body.reason === "invalid_json") return { ok: false, response: refuse("invalid", "The request is not valid JSON.") };
    return { ok: false, response: body.reason === "too_large" ? refuse("too_large", "The request is too large.") : refuse("invalid", "The request was cut off.") };
  }
  const parsed = schema.safeParse(body.data);
  if (!parsed.success) {
    return { ok: false, response: refuse("invalid", "The request is not valid.", {}, fieldErrorsOf(parsed.error.issues, "body")) };
  }
  return { ok: true, value: parsed.data };
}
