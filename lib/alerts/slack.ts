import "server-only";
import { getEnv } from "../env";
import { openSecret, sealSecret } from "../secrets";

// Slack incoming webhooks (docs/alerts.md §3): a POST of `{ "text": … }` as JSON; Slack answers 200 `ok`, or a
// 4xx with a word in the body (400 invalid_payload, 403 action_prohibited, 404 channel_not_found / no_service,
// 410 channel_is_archived), 429 with Retry-After when posting faster than about one message a second, 5xx rarely.

const SLACK_HOST = "hooks.slack.com";
const TIMEOUT_MS = 10_000;

/** Why a URL cannot be a Slack destination, or null when it can. */
export function slackUrlProblem(raw: string, allowAnyUrl = getEnv().ALERTS_SLACK_ANY_URL): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "Paste the whole webhook URL, starting with https://hooks.slack.com/.";
  }
  if (url.username || url.password) return "The URL must not contain a user name or password.";
  if (allowAnyUrl) return url.protocol === "https:" || url.protocol === "http:" ? null : "Only http and https URLs.";
  if (url.protocol !== "https:" || url.hostname !== SLACK_HOST || !url.pathname.startsWith("/services/")) {
    return "A Slack incoming webhook URL starts with https://hooks.slack.com/services/ (Slack → Apps → Incoming Webhooks).";
  }
  return null;
}

/** What a list shows of a webhook URL: its host and last four characters, never the whole credential. */
export function slackLabel(raw: string): string {
  const url = new URL(raw);
  return `Slack ${url.host} …${raw.slice(-4)}`;
}

/** The AAD of a destination's sealed URL: names its row, so a value copied to another row does not open. */
export const slackUrlAad = (destinationId: string) => `alert_destination:${destinationId}:slack_url`;
const aad = slackUrlAad;
export const sealSlackUrl = (destinationId: string, url: string) => sealSecret(url, aad(destinationId));
export const openSlackUrl = (destinationId: string, stored: string) => openSecret(stored, aad(destinationId));

export class SlackError extends Error {
  override name = "SlackError";
  constructor(
    message: string,
    readonly status: number | null,
    /** Slack's Retry-After on a 429, for the job runner's backoff (lib/jobs/backoff.ts). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Posts one message; resolves on Slack's 200, throws SlackError with Slack's own words otherwise. Redirects are not followed. */
export async function postToSlack(url: string, message: { text: string }): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message),
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a TLS error) is on its cause.
    const code = error instanceof Error && error.cause instanceof Error ? ((error.cause as { code?: string }).code ?? error.cause.message) : null;
    const cause = error instanceof Error ? (error.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} s` : (code ?? error.message)) : String(error);
    throw new SlackError(`Slack could not be reached: ${cause}`, null);
  }
  const body = (await response.text().catch(() => "")).trim().slice(0, 200);
  if (response.status === 200) return;
  const retryAfter = Number(response.headers.get("retry-after"));
  throw new SlackError(
    `Slack answered ${response.status}${body ? ` ${body}` : ""}`,
    response.status,
    response.status === 429 && Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined,
  );
}
