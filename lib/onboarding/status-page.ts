import "server-only";
import { findHubById } from "@/db/queries/hubs";
import { findSessionByStatusTokenHash, listChannelsByExternalIds } from "@/db/queries/onboarding";
import type { OnboardingSession } from "@/db/schema";
import { getDb } from "../db";
import type { Words } from "./outcomes";
import { LANGS, type Lang } from "./prefill";
import { getOnboardingSettings } from "./settings";
import { hashToken } from "./tokens";
import { restrictionClientWords, restrictionOf } from "../channels/restriction-words";
import { GRANT_ACCESS_TODO, SESSION_WORDS, STATUS_WORDS, cancellationRequestedWords, maskPhone, statusKeyFor, type StatusKey } from "./status-page-words";

// The client's status page /onboarding/status/<token>: each number of the session and its state in plain words.

const STATUS_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export type StatusChannel = {
  /** Internal row id: what live change events name (topic "channel"). */
  id: string;
  /** e.g. "+•• ••• ••••5678": never the full number on a page reachable by link. */
  phoneNumber: string | null;
  displayName: string | null;
  statusKey: StatusKey;
  words: Words;
  /** What the client must still do, if anything. */
  todo: Words | null;
  since: Date;
};

export type OnboardingStatus = {
  sessionId: string;
  hubBrand: string;
  logoUrl: string;
  accentColor: string;
  lang: Lang;
  sessionStatus: OnboardingSession["status"];
  sessionWords: Words;
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
  const lang = (LANGS as readonly string[]).includes(session.prefill.lang ?? "") ? (session.prefill.lang as Lang) : settings.defaultLang;
  // Only confirmed channels are shown: what a redirect merely claimed is never displayed (docs/security.md R12). Numbers whose
  // access the client withdrew stay listed, with what to do to grant it again.
  const externalIds = [...new Set([...session.channelExternalIds, ...session.revokedExternalIds])];
  const rows = session.status === "completed" ? await listChannelsByExternalIds({ db, hubId: hub.id, externalIds }) : [];
  return {
    sessionId: session.id,
    hubBrand: settings.effective.brandName,
    logoUrl: settings.logoUrl,
    accentColor: settings.accentColor,
    lang,
    sessionStatus: session.status,
    sessionWords: SESSION_WORDS[session.status],
    channels: rows.map((row) => {
      const statusKey = statusKeyFor(row.status, Boolean(row.hasActiveKey), { cancellation: row.cancellation, restricted: row.restricted });
      const restriction = statusKey === "restricted" ? restrictionOf(row.flags) : null;
      const words =
        statusKey === "cancellation_requested" ? cancellationRequestedWords(row.terminatesAt) : restriction ? restrictionClientWords(restriction) : STATUS_WORDS[statusKey];
      return {
        id: row.id,
        phoneNumber: maskPhone(row.phoneNumber),
        displayName: row.displayName,
        statusKey,
        words,
        todo: hub.paymentMode === "direct" && row.permission !== "granted" && row.cancellation !== "cancelled" ? GRANT_ACCESS_TODO : null,
        since: row.statusChangedAt,
      };
    }),
  };
}
