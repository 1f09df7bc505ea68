import "server-only";
import type { z } from "zod";
import { getEnv, publicBaseUrl } from "../env";
import { isAppError, type AppError } from "../errors";
import { CLIENT_IP_HEADER } from "../http/client-ip";
import { logger } from "../log";
import { readBodyWithCap } from "../http/read-body";
import type { OnboardingFailure } from "./outcomes";
import { browserBindingCookie, browserBindingCookieName, type CookieOptions } from "./state";

// Request plumbing shared by the onboarding route handlers: JSON bodies with a cap, the same-origin check of
// cookie-bound POSTs (R25), the binding cookie, and no-store answers that never send a Referer onward (R16).

export const MAX_BODY_BYTES = 16 * 1024;

export const NO_STORE_HEADERS = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" } as const;

export function clientIpOf(request: Request): string {
  return request.headers.get(CLIENT_IP_HEADER) ?? "unknown";
}

/** R25: a cookie-bound POST must come from a page of this portal (Origin, or Sec-Fetch-Site from the browser). */
export function isSameOrigin(request: Request): boolean {
  // Browsers set Sec-Fetch-Site themselves (a page cannot forge it), so it decides when present; Origin covers
  // browsers without it.
  const site = request.headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin";
  const origin = request.headers.get("origin");
  return origin !== null && origin === new URL(publicBaseUrl()).origin;
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

export function errorJson(code: string, message: string, status: number, extra: Record<string, unknown> = {}): Response {
  return json({ error: { code, message, ...extra } }, status);
}

export function failureJson(failure: OnboardingFailure): Response {
  return errorJson(failure.code, failure.message.en, failure.status, { messages: failure.message });
}

export const forbiddenOrigin = () => errorJson("forbidden:origin", "This request did not come from this site.", 403);

/** AppError → its status and public message; anything else is logged and answered 500 without detail. */
export function appErrorJson(error: unknown, where: string): Response {
  if (isAppError(error)) {
    const e = error as AppError;
    return errorJson(e.code, e.publicMessage, e.status, e.fieldErrors ? { fieldErrors: e.fieldErrors } : {});
  }
  logger("onboarding").error({ where, err: error instanceof Error ? error.message : "failed" }, "onboarding request failed");
  return errorJson("internal", "Something went wrong on our side. Please try again.", 500);
}

export type BodyResult<T> = { ok: true; value: T } | { ok: false; response: Response };

/** A body that has not arrived by BODY_READ_TIMEOUT_MS: the connection is closed with the answer (R2). */
const bodyTimeout = () =>
  json({ error: { code: "timeout", message: "The request took too long to arrive." } }, 408, { Connection: "close" });

/**
 * Reads at most MAX_BODY_BYTES of JSON within BODY_READ_TIMEOUT_MS and parses it with `schema`; any failure is a
 * ready 4xx answer.
 */
export async function readJsonBody<S extends z.ZodType>(request: Request, schema: S): Promise<BodyResult<z.output<S>>> {
  const body = await readBodyWithCap(request, MAX_BODY_BYTES, getEnv().BODY_READ_TIMEOUT_MS);
  if (!body.ok) {
    if (body.reason === "timeout") return { ok: false, response: bodyTimeout() };
    return { ok: false, response: body.reason === "too_large" ? errorJson("too_large", "The request is too large.", 413) : errorJson("invalid", "The request was cut off.", 400) };
  }
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body.bytes));
  } catch {
    return { ok: false, response: errorJson("invalid", "The request is not valid JSON.", 400) };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fieldErrors[issue.path.map(String).join(".") || "body"] ??= []).push(issue.message);
    return { ok: false, response: errorJson("invalid", "The request is not valid.", 400, { fieldErrors }) };
  }
  return { ok: true, value: parsed.data };
}
