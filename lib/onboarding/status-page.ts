import "server-only";
import { findHubById } from "@/db/queries/hubs";
import { findSessionByStatusTokenHash, listChannelsByExternalIds } from "@/db/queries/onboarding";
import type { OnboardingSession } from "@/db/schema";
import { getDb } from "../db";
import { DEFAULT_LOCALE, closestLocale, type Locale } from "../i18n/locales";
import { getOnboardingSettings } from "./settings";
import { hashToken } from "./tokens";
import { restrictionOf } from "../channels/restriction-words";
import { maskPhone, statusKeyFor, type MeaningKey, type StatusKey } from "./status-page-words";

// The client's status page /onboarding/status/<token>: each number of the session and its state, as message keys
// the page puts into the visitor's language (docs/i18n.md §4).

const STATUS_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export type StatusChannel = {
  /** Internal row id: what live change events name (topic "channel"). */
  id: string;
  /** e.g. "+•• ••• ••••5678": never the full number on a page reachable by link. */
  phoneNumber: string | null;
  displayName: string | null;
  statusKey: StatusKey;
  /** What the state means for the client (`status.meaning.<key>`); `until` for a cancellation with its day. */
  meaning: MeaningKey;
  until: Date | null;
  /** What the client must still do, if anything (`status.grantAccess`). */
  todo: "grant_access" | null;
  since: Date;
};

export type OnboardingStatus = {
  sessionId: string;
  hubBrand: string;
  logoUrl: string;
  accentColor: string;
  /** The language this sign-up was started in (a start always records one). */
  locale: Locale;
  sessionStatus: OnboardingSession["status"];
  channels: StatusChannel[];
};

/** The session behind a status token, or null (unknown or malformed token). */
export async function findSessionForStatusToken(token: string): Promise<OnboardingSession | null> {
  if (typeof token !== "string" || !STATUS_TOKEN.test(token)) return null;
  return (await findSessionByStatusTokenHash({ db: await getDb(), tokenHash: hashToken(token) })) ?? null;
}

export async function getOnboardingStatus(statusToken: string): Promise<OnboardingStatus | null> {
  const session = await findSessionForStatusToken(statusToken);
  if (!session) return null;
  const db = await getDb();
  const hub = await findHubById({ db, id: session.hubId });
  if (!hub) return null;
  const settings = getOnboardingSettings(hub);
  const locale = closestLocale(session.prefill.lang ?? "") ?? closestLocale(settings.defaultLang) ?? DEFAULT_LOCALE;
  // Only confirmed channels are shown: what a redirect merely claimed is never displayed (docs/security.md R12). Numbers whose
  // access the client withdrew stay listed, with what to do to grant it again.
  const externalIds = [...new Set([...session.channelExternalIds, ...session.revokedExternalIds])];
  const rows = session.status === "completed" ? await listChannelsByExternalIds({ db, hubId: hub.id, externalIds }) : [];
  return {
    sessionId: session.id,
    hubBrand: settings.effective.brandName,
    logoUrl: settings.logoUrl,
    accentColor: settings.accentColor,
    locale,
    sessionStatus: session.status,
    channels: rows.map((row) => {
      const statusKey = statusKeyFor(row.status, Boolean(row.hasActiveKey), { cancellation: row.cancellation, restricted: row.restricted });
      const restriction = statusKey === "restricted" ? restrictionOf(row.flags) : null;
      const meaning: MeaningKey =
        statusKey === "cancellation_requested" && row.terminatesAt
          ? "cancellation_requested_until"
          : restriction
            ? restriction.event === "account_violation"
              ? "restricted_violation"
              : "restricted_limit"
            : statusKey;
      return {
        id: row.id,
        phoneNumber: maskPhone(row.phoneNumber),
        displayName: row.displayName,
        statusKey,
        meaning,
        until: meaning === "cancellation_requested_until" ? row.terminatesAt : null,
        todo: hub.paymentMode === "direct" && row.permission !== "granted" && row.cancellation !== "cancelled" ? "grant_access" : null,
        since: row.statusChangedAt,
      };
    }),
  };
}
