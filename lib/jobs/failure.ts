import { DrizzleQueryError } from "drizzle-orm";
import { isAppError } from "../errors";

/**
 * A failure as it may be stored and shown to staff: drizzle's query errors carry the statement's parameters
 * (phone numbers, payloads), so only the database's own message is kept; NUL and other control characters
 * (which PostgreSQL text refuses) are dropped.
 */
export function failureMessage(error: unknown): string {
  const inner = error instanceof DrizzleQueryError ? error.cause : error;
  const text = isAppError(inner) ? `${inner.code}: ${inner.publicMessage}` : inner instanceof Error ? inner.message : "processing failed";
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").slice(0, 500) || "processing failed";
}

/** The runner stores and logs error messages: a database error goes back without its statement's parameters. */
export async function withStorableErrors(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    throw error instanceof DrizzleQueryError ? new Error(failureMessage(error), { cause: error }) : error;
  }
}
