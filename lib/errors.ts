// One error type for everything the app refuses on purpose. The code decides the HTTP status and whether
// the message may be shown to the user; anything else is an unexpected failure and is logged, not shown.

const statusByKind = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  throttled: 429,
  upstream: 502,
  unavailable: 503,
} as const;

export type ErrorKind = keyof typeof statusByKind;
/** e.g. "not_found:client", "conflict:api_key", "upstream:hub". */
export type ErrorCode = ErrorKind | `${ErrorKind}:${string}`;

export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode;
  readonly status: number;
  /** Safe to show: written for the user, holds no secret or internal detail. */
  readonly publicMessage: string;
  readonly fieldErrors?: Record<string, string[]>;

  constructor(code: ErrorCode, publicMessage: string, options?: { cause?: unknown; fieldErrors?: Record<string, string[]> }) {
    super(publicMessage, { cause: options?.cause });
    this.code = code;
    this.status = statusByKind[code.split(":")[0] as ErrorKind];
    this.publicMessage = publicMessage;
    this.fieldErrors = options?.fieldErrors;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** What a user may see of any error: the AppError's own message, or a generic one. */
export function publicMessageOf(error: unknown): string {
  return isAppError(error) ? error.publicMessage : "Something went wrong on our side. Please try again.";
}
