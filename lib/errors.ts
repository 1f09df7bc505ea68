// One error type for everything the app refuses on purpose. The code decides the HTTP status and whether
// the message may be shown to the user; anything else is an unexpected failure and is logged, not shown.
// Client-safe (no server imports): pages map codes to their own words, and the webhook receiver pre-serialises
// its fixed answers from here.

const statusByKind = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  timeout: 408,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  throttled: 429,
  internal: 500,
  upstream: 502,
  unavailable: 503,
} as const;

/** RFC 9457 `title`s: with `type` "about:blank" the title is the status's reason phrase. */
const titleByStatus: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export type ErrorKind = keyof typeof statusByKind;
/** e.g. "not_found:client", "conflict:api_key", "upstream:hub". */
export type ErrorCode = ErrorKind | `${ErrorKind}:${string}`;
/** Messages per field, keyed by the field's dotted path ("prefill.email"); "form" (or a given root) for the whole. */
export type FieldErrors = Record<string, string[]>;

export const INTERNAL_ERROR_MESSAGE = "Something went wrong on our side. Please try again.";

export function statusOfCode(code: ErrorCode): number {
  return statusByKind[code.split(":")[0] as ErrorKind];
}

export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode;
  readonly status: number;
  /** Safe to show: written for the user, holds no secret or internal detail (not for the "internal" kind). */
  readonly publicMessage: string;
  readonly fieldErrors?: FieldErrors;

  constructor(code: ErrorCode, publicMessage: string, options?: { cause?: unknown; fieldErrors?: FieldErrors }) {
    super(publicMessage, { cause: options?.cause });
    this.code = code;
    this.status = statusOfCode(code);
    this.publicMessage = publicMessage;
    this.fieldErrors = options?.fieldErrors;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

const isInternal = (error: AppError) => error.code === "internal" || error.code.startsWith("internal:");

/** What a user may see of any error: the AppError's own message, or a generic one. */
export function publicMessageOf(error: unknown): string {
  return isAppError(error) && !isInternal(error) ? error.publicMessage : INTERNAL_ERROR_MESSAGE;
}

/** zod issues (or anything shaped like them) → field errors; an issue without a path counts against `root`. */
export function fieldErrorsOf(issues: readonly { path: readonly PropertyKey[]; message: string }[], root = "form"): FieldErrors {
  const fieldErrors: FieldErrors = {};
  for (const issue of issues) (fieldErrors[issue.path.map(String).join(".") || root] ??= []).push(issue.message);
  return fieldErrors;
}

/**
 * The one error body (RFC 9457 problem details, served as application/problem+json): `code` is what clients
 * branch on and translate; `detail` is English and safe to show; `errors` names fields. Extension members
 * (`findings`, `templateId`...) may be added by a route, never in place of these.
 */
export type Problem = {
  type: "about:blank";
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldErrors;
};

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Any thrown value → its problem: an AppError as it says, anything else (and the internal kind) without detail. */
export function problemOf(error: unknown): Problem {
  const known = isAppError(error) && !isInternal(error) ? error : null;
  const status = known ? known.status : 500;
  return {
    type: "about:blank",
    title: titleByStatus[status] ?? "Error",
    status,
    detail: known ? known.publicMessage : INTERNAL_ERROR_MESSAGE,
    code: known ? known.code : "internal",
    ...(known?.fieldErrors ? { errors: known.fieldErrors } : {}),
  };
}
