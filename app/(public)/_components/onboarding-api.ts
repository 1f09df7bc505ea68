import type { Locale } from "@/lib/i18n/locales";
import type { CreatedSession } from "@/lib/onboarding/sessions";

// The browser's side of /api/onboarding/*: typed calls that never throw, and the checks on what comes back.

export type StartRequest = {
  method: "connect_button" | "popup" | "embedded_signup";
  hubId?: string;
  inviteToken?: string;
  returnPath?: string;
  lang: Locale;
};

/** What a page shows when a call fails: the refusals' words by error code in its language (page-intl.ts), and a fallback. */
export type FailureWords = { errors: Record<string, string>; fallback: string };

/** What the pages use of a created session (dates arrive as strings). */
export type StartedSession = Pick<CreatedSession, "sessionId" | "method" | "statusUrl" | "ioUrl" | "connectButton" | "embeddedSignup" | "notice">;

export type Failed = { ok: false; message: string; network?: boolean };

/** The part of an error answer (problem details) the pages read. */
type Problem = { code?: unknown };

const STATUS_PATH = /^\/onboarding\/status\/[A-Za-z0-9_-]{43}$/;

/** docs/security.md R13 in depth: the only place the pages navigate to after a flow is our own status page. */
export function isStatusPath(value: unknown): value is string {
  return typeof value === "string" && STATUS_PATH.test(value);
}

/** The popup's window name: the same one the official Connect Button package uses. */
export const POPUP_NAME = "connect-360dialog";

/** What an opener answers to the popup that handed it the query, so the popup knows it may close. */
export const HANDOFF_ACK = "onboarding:received";

/** The redirect query as handed over by a popup: a string that looks like `?…`, within the server's cap. */
export function isRedirectQuery(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("?") && value.length > 1 && value.length <= 9_000;
}

async function postJson(path: string, body: unknown): Promise<{ status: number; data: unknown } | null> {
  try {
    const res = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    return { status: res.status, data };
  } catch {
    return null;
  }
}

function failureOf(data: unknown, words: FailureWords): Failed {
  const code = (data as Problem | null)?.code;
  const known = typeof code === "string" && Object.hasOwn(words.errors, code) ? words.errors[code] : undefined;
  // A code a client is not meant to meet (a malformed request, say) gets the page's general words, never the
  // English detail of the answer.
  return { ok: false, message: known ?? words.fallback };
}

export async function startSession(request: StartRequest, words: FailureWords): Promise<{ ok: true; session: StartedSession } | Failed> {
  const res = await postJson("/api/onboarding/sessions", request);
  if (!res) return { ok: false, message: words.fallback, network: true };
  const session = res.data as StartedSession | null;
  if (res.status !== 201 || !session || typeof session.sessionId !== "string") return failureOf(res.data, words);
  return { ok: true, session };
}

export async function completeRedirect(query: string, words: FailureWords): Promise<{ ok: true; statusUrl: string } | Failed> {
  const res = await postJson("/api/onboarding/complete", { query });
  if (!res) return { ok: false, message: words.fallback, network: true };
  const statusUrl = (res.data as { statusUrl?: unknown } | null)?.statusUrl;
  if (res.status === 200 && isStatusPath(statusUrl)) return { ok: true, statusUrl };
  return failureOf(res.data, words);
}

export type EsMessage = { type: "WA_EMBEDDED_SIGNUP"; event: string; version?: number | string; data?: Record<string, unknown> };

export async function sendEmbeddedSignupEvent(
  sessionId: string,
  message: EsMessage,
  words: FailureWords,
): Promise<{ ok: true; statusUrl: string | null } | Failed> {
  const res = await postJson("/api/onboarding/embedded-signup", { sessionId, message });
  if (!res) return { ok: false, message: words.fallback, network: true };
  const statusUrl = (res.data as { statusUrl?: unknown } | null)?.statusUrl;
  if (res.status === 200) return { ok: true, statusUrl: isStatusPath(statusUrl) ? statusUrl : null };
  return failureOf(res.data, words);
}

/** Fire and forget: a lost funnel step must never stop the client. */
export function reportFunnel(body: { kind: "landing_viewed" | "popup_blocked"; sessionId?: string; inviteToken?: string }): void {
  void postJson("/api/onboarding/funnel", body);
}
