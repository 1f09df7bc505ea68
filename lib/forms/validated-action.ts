import "server-only";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { requireRole, type CurrentUser } from "../auth/session";
import type { UserRole } from "../auth/roles";
import { fieldErrorsOf, isAppError, publicMessageOf, type FieldErrors } from "../errors";
import { logger } from "../log";
import { echoFormValues } from "./echo";

export type ActionState<T = undefined> = {
  ok: boolean;
  message?: string;
  fieldErrors?: FieldErrors;
  /** What the user typed, to refill the form; fields that look secret are never echoed. */
  values?: Record<string, string>;
  data?: T;
};


type FormAction<T> = (_prev: ActionState<T> | undefined, formData: FormData) => Promise<ActionState<T>>;

/**
 * The one way in for forms: parse FormData with zod (all field errors, not just the first), check the role in
 * the data-access layer, run `fn`, and turn refusals into a message the user can act on. `fn` gets the signed-in
 * user for every role but "public", where there is none.
 */
export function validatedAction<S extends z.ZodType, T = undefined>(
  schema: S,
  role: "public",
  fn: (input: z.infer<S>, user: null) => Promise<ActionState<T> | void>,
): FormAction<T>;
export function validatedAction<S extends z.ZodType, T = undefined>(
  schema: S,
  role: UserRole | "password-change" | "enrolment",
  fn: (input: z.infer<S>, user: CurrentUser) => Promise<ActionState<T> | void>,
): FormAction<T>;
export function validatedAction<S extends z.ZodType, T = undefined>(
  schema: S,
  role: UserRole | "public" | "password-change" | "enrolment",
  // Each overload's callback: the user it is given matches the role (null exactly when "public").
  fn: ((input: z.infer<S>, user: null) => Promise<ActionState<T> | void>) | ((input: z.infer<S>, user: CurrentUser) => Promise<ActionState<T> | void>),
): FormAction<T> {
  const run = fn as (input: z.infer<S>, user: CurrentUser | null) => Promise<ActionState<T> | void>;
  return async (_prev: ActionState<T> | undefined, formData: FormData): Promise<ActionState<T>> => {
    const values = echoFormValues(formData);
    try {
      const user =
        role === "public"
          ? null
          : role === "password-change"
            ? await requireRole("viewer", { allowPasswordChange: true, allowEnrolment: true })
            : role === "enrolment"
              ? await requireRole("viewer", { allowEnrolment: true }) // a user the two-factor policy sends to enrolment (docs/accounts.md §3)
              : await requireRole(role);
      const parsed = schema.safeParse(Object.fromEntries(formData.entries()));
      if (!parsed.success) {
        return { ok: false, message: "Please correct the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error.issues), values };
      }
      const result = await run(parsed.data, user);
      return result ?? { ok: true };
    } catch (error) {
      unstable_rethrow(error); // redirect() and notFound() must reach Next.js
      if (!isAppError(error)) logger("action").error({ err: error instanceof Error ? error.message : String(error) }, "action failed");
      return {
        ok: false,
        message: publicMessageOf(error),
        fieldErrors: isAppError(error) ? error.fieldErrors : undefined,
        values,
      };
    }
  };
}
