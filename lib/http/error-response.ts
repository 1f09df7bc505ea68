import "server-only";
import { AppError, PROBLEM_CONTENT_TYPE, isAppError, problemOf, type ErrorCode, type FieldErrors } from "../errors";
import { logger } from "../log";

export type ErrorResponseOptions = {
  /** Names the handler in the log line of an unexpected error. */
  where: string;
  /** Added to the answer's headers; every error answer is already no-store. */
  headers?: Record<string, string>;
  /** RFC 9457 extension members beside the problem (a route's own data, e.g. a stored template's id). */
  extensions?: Record<string, unknown>;
};

/**
 * The one way out of a route handler for anything that went wrong: an AppError answers with its status, code and
 * public message; anything else is logged here (its message only) and answered 500 without detail.
 */
export function errorResponse(error: unknown, { where, headers = {}, extensions = {} }: ErrorResponseOptions): Response {
  if (!isAppError(error) || error.status === 500) {
    logger("http").error({ where, err: error instanceof Error ? error.message : "failed" }, "request failed");
  }
  const problem = problemOf(error);
  return new Response(JSON.stringify({ ...extensions, ...problem }), {
    status: problem.status,
    headers: { "Content-Type": PROBLEM_CONTENT_TYPE, "Cache-Control": "no-store", ...headers },
  });
}

/** A refusal decided in the handler itself: errorResponse() of a new AppError. */
export function refusal(code: ErrorCode, message: string, options: Omit<ErrorResponseOptions, "where"> & { fieldErrors?: FieldErrors } = {}): Response {
  const { fieldErrors, ...rest } = options;
  return errorResponse(new AppError(code, message, { fieldErrors }), { where: code, ...rest });
}
