import en from "@/messages/en.json";
import { AppError, statusOfCode, type ErrorCode, type ErrorKind } from "../errors";

// What the client is told when onboarding refuses, keyed by error code: the typed refusals of the redirect and
// Embedded Signup handlers, and the start refusals a client can meet. Never the query, the state or an upstream
// detail. The words live in the message catalogues under `errors.<kind>.<what>` (messages/*.json, docs/i18n.md
// §4): the API answers with the English ones as its problem detail, and the client pages show the visitor's
// language by the answer's `code`.

export type OnboardingFailureCode =
  | "bad_query"
  | "bad_event"
  | "state_missing"
  | "state_unknown"
  | "state_reused"
  | "state_expired"
  | "state_foreign_browser"
  | "client_not_ours"
  | "channel_not_ours"
  | "client_not_expected"
  | "hub_unavailable"
  | "onboarding_failed";

export type OnboardingFailure = { code: OnboardingFailureCode; status: number; errorCode: ErrorCode; message: string };

// 360dialog does not promise to echo `state` (docs/onboarding-redirect.md): a redirect without it is completed for
// the browser's own open sign-up, and `state_missing` is the answer when that browser has none.
const kinds = {
  bad_query: "invalid",
  bad_event: "invalid",
  state_missing: "invalid",
  state_unknown: "forbidden",
  state_reused: "conflict",
  state_expired: "gone",
  state_foreign_browser: "forbidden",
  client_not_ours: "forbidden",
  channel_not_ours: "forbidden",
  client_not_expected: "forbidden",
  hub_unavailable: "unavailable",
  onboarding_failed: "upstream",
} as const satisfies Record<OnboardingFailureCode, ErrorKind>;

/** Start refusals a client can meet (lib/onboarding/authorise.ts, sessions.ts, connect-url.ts). */
export const START_REFUSAL_CODES = [
  "forbidden:onboarding",
  "forbidden:invite",
  "forbidden:invite_expired",
  "forbidden:invite_revoked",
  "forbidden:invite_used_up",
  "throttled:onboarding",
  "throttled:onboarding_reopen",
  "throttled:io_signature",
  "unavailable:embedded_signup",
  "unavailable:io_signature",
] as const;

export type StartRefusalCode = (typeof START_REFUSAL_CODES)[number];

type Catalogue = typeof en.errors;

/** Every error code a client can meet, with where its words are in the catalogues. */
export const CLIENT_ERROR_CODES: readonly ErrorCode[] = [
  ...START_REFUSAL_CODES,
  ...(Object.keys(kinds) as OnboardingFailureCode[]).map((code) => errorCodeOf(code)),
];

/** `forbidden:invite` → ["forbidden", "invite"], the message key `errors.forbidden.invite`. */
export function clientErrorKey(code: unknown): `errors.${string}.${string}` | null {
  if (typeof code !== "string" || !(CLIENT_ERROR_CODES as readonly string[]).includes(code)) return null;
  const [kind, what] = code.split(":") as [string, string];
  return `errors.${kind}.${what}`;
}

function englishWords(code: ErrorCode): string {
  const [kind, what] = code.split(":") as [keyof Catalogue, string];
  return (en.errors[kind] as Record<string, string>)[what] ?? "The request was refused.";
}

/** The error code a failure is answered with: its kind (so its status) and its own name. */
function errorCodeOf(code: OnboardingFailureCode): ErrorCode {
  return `${kinds[code]}:${code}`;
}

export function failure(code: OnboardingFailureCode): OnboardingFailure {
  const errorCode = errorCodeOf(code);
  return { code, status: statusOfCode(kinds[code]), errorCode, message: englishWords(errorCode) };
}

/** A failure as the error the route answers with (its English words as the public message). */
export function failureError(failure: OnboardingFailure): AppError {
  return new AppError(failure.errorCode, failure.message);
}

/** A start refusal, thrown with its English words; the client shows its own language by the code. */
export function startRefusal(code: StartRefusalCode): AppError {
  return new AppError(code, englishWords(code));
}
