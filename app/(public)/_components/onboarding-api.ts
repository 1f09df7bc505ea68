import { onboardingErrorWords } from "@/lib/onboarding/outcomes";
import type { Lang } from "@/lib/onboarding/prefill";
import type { CreatedSession } from "@/lib/onboarding/sessions";

// The browser's side of /api/onboarding/*: typed calls that never throw, and the checks on what comes back.

export type StartRequest = {
  method: "connect_button" | "popup" | "embedded_signup";
  hubId?: string;
  inviteToken?: string;
  returnPath?: string;
  lang: Lang;
};

/** What the pages use of a created session (dates arrive as strings). */
export type StartedSession = Pick<CreatedSession, "sessionId" | "method" | "statusUrl" | "ioUrl" | "connectButton" | "embeddedSignup" | "notice">;

export type Failed = { ok: false; message: string; network?: boolean };

/** The part of an error answer (problem details) the pages read. */
type Problem = { code?: unknown; detail?: unknown };

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

function failureOf(data: unknown, lang: Lang, fallback: string): Failed {
  const problem = data as Problem | null;
  const words = onboardingErrorWords(problem?.code);
  if (words) return { ok: false, message: words[lang] };
  // A code without client words (a malformed request, say) has only its English detail.
  return { ok: false, message: typeof problem?.detail === "string" ? problem.detail : fallback };
}

export async function startSession(request: StartRequest, fallback: string): Promise<{ ok: true; session: StartedSession } | Failed> {
  const res = await postJson("/api/onboarding/sessions", request);
  if (!res) return { ok: false, message: fallback, network: true };
  const session = res.data as StartedSession | null;
  if (res.status !== 201 || !session || typeof session.sessionId !== "string") return failureOf(res.data, request.lang, fallback);
  return { ok: true, session };
}

export async function completeRedirect(query: string, lang: Lang, fallback: string): Promise<{ ok: true; statusUrl: string } | Failed> {
  const res = await postJson("/api/onboarding/complete", { query });
  if (!res) return { ok: false, message: fallback, network: true };
  const statusUrl = (res.data as { statusUrl?: unknown } | null)?.statusUrl;
  if (res.status === 200 && isStatusPath(statusUrl)) return { ok: true, statusUrl };
  return failureOf(res.data, lang, fallback);
}

export type EsMessage = { type: "WA_EMBEDDED_SIGNUP"; event: string; version?: number | string; data?: Record<string, unknown> };

export async function sendEmbeddedSignupEvent(
  sessionId: string,
  message: EsMessage,
  lang: Lang,
  fallback: string,
): Promise<{ ok: true; statusUrl: string | null } | Failed> {
  const res = await postJson("/api/onboarding/embedded-signup", { sessionId, message });
  if (!res) return { ok: false, message: fallback, network: true };
  const statusUrl = (res.data as { statusUrl?: unknown } | null)?.statusUrl;
  if (res.status === 200) return { ok: true, statusUrl: isStatusPath(statusUrl) ? statusUrl : null };
  return failureOf(res.data, lang, fallback);
}

/** Fire and forget: a lost funnel step must never stop the client. */
export function reportFunnel(body: { kind: "landing_viewed" | "popup_blocked"; sessionId?: string; inviteToken?: string }): void {
  void postJson("/api/onboarding/funnel", body);
}
