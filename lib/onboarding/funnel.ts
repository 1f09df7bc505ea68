import "server-only";
import { findInviteByTokenHash } from "@/db/queries/invites";
import { findSessionById, findSessionsWithChannel, insertFunnelEvent } from "@/db/queries/onboarding";
import { registerAttempt } from "@/db/queries/throttle";
import type { Executor } from "@/db/client";
import { getDb } from "../db";
import { isRunning } from "../hub/events";
import { AppError } from "../errors";
import { hashToken, isToken, readBrowserBinding, sameHash } from "./tokens";

// The onboarding funnel: one row per step a session (or an invite link, before any session) reached.

export const FUNNEL_KINDS = [
  "link_opened",
  "landing_viewed",
  "session_started",
  "popup_opened",
  "popup_blocked",
  "redirect_received",
  "client_confirmed",
  "channel_created",
  "channel_running",
  "es_finish",
  "es_cancel",
  "es_error",
  "key_stored",
] as const;
export type FunnelKind = (typeof FUNNEL_KINDS)[number];

/** The only steps a browser may report itself (POST /api/onboarding/funnel); all others are recorded server-side. */
export const CLIENT_FUNNEL_KINDS = ["landing_viewed", "popup_blocked"] as const satisfies readonly FunnelKind[];
export type ClientFunnelKind = (typeof CLIENT_FUNNEL_KINDS)[number];

const DEDUPE_SECONDS = 60;
const CHANNEL_KINDS: ReadonlySet<FunnelKind> = new Set(["channel_created", "channel_running", "key_stored"]);

export type FunnelEventInput = {
  hubId: string;
  sessionId?: string | null;
  inviteId?: string | null;
  kind: FunnelKind;
  /** Ids and step names only: never personal data. `channelId` (external) makes a per-channel step. */
  detail?: Record<string, unknown> | null;
};

/**
 * Records a step once per session and kind within a minute (reloads and double clicks add nothing); channel
 * steps once per session and channel, ever. Returns whether a row was written.
 */
export async function recordFunnelEvent(tx: Executor, input: FunnelEventInput): Promise<boolean> {
  return insertFunnelEvent({
    db: tx,
    event: {
      hubId: input.hubId,
      sessionId: input.sessionId ?? null,
      inviteId: input.inviteId ?? null,
      kind: input.kind,
      detail: input.detail ?? null,
    },
    dedupeSeconds: CHANNEL_KINDS.has(input.kind) ? null : DEDUPE_SECONDS,
  });
}

/**
 * For webhook processing: marks `channel_created` / `channel_running` on every onboarding session that linked
 * this channel. Call it with the transaction that moved the channel. `status` is where the channel got to; as a
 * function, it is asked only when a completed session linked the channel (most channel events find none).
 */
export async function recordChannelProgress(
  tx: Executor,
  input: { hubId: string; channelExternalId: string; status: string | (() => Promise<string | undefined>) },
): Promise<void> {
  const sessions = (await findSessionsWithChannel({ db: tx, hubId: input.hubId, channelExternalId: input.channelExternalId })).filter(
    (s) => s.status === "completed",
  );
  if (sessions.length === 0) return;
  const status = typeof input.status === "function" ? await input.status() : input.status;
  const kinds: FunnelKind[] = ["channel_created"];
  if (status !== undefined && isRunning({ status })) kinds.push("channel_running");
  for (const session of sessions) {
    for (const kind of kinds) {
      await recordFunnelEvent(
        tx,
        { hubId: input.hubId, sessionId: session.id, inviteId: session.inviteId, kind, detail: { channelId: input.channelExternalId } },
      );
    }
  }
}

/**
 * For key provisioning: marks `key_stored` (once per session and channel, ever: a regenerated key adds nothing)
 * on every completed onboarding session that linked this channel. Call it with the transaction that activated the key.
 */
export async function recordKeyStored(tx: Executor, input: { hubId: string; channelExternalId: string }): Promise<void> {
  const sessions = await findSessionsWithChannel({ db: tx, hubId: input.hubId, channelExternalId: input.channelExternalId });
  for (const session of sessions.filter((s) => s.status === "completed")) {
    await recordFunnelEvent(
      tx,
      { hubId: input.hubId, sessionId: session.id, inviteId: session.inviteId, kind: "key_stored", detail: { channelId: input.channelExternalId } },
    );
  }
}

export const CLIENT_FUNNEL_LIMIT = { attempts: 120, windowSeconds: 15 * 60 } as const;

/**
 * A step reported by the browser: only `landing_viewed` and `popup_blocked`, only for a session bound to this
 * browser's cookie or for a valid-looking invite token, and rate-limited per IP.
 */
export async function recordClientFunnelEvent(input: {
  kind: ClientFunnelKind;
  sessionId?: string;
  inviteToken?: string;
  browserBinding: string | null | undefined;
  ip: string;
}): Promise<void> {
  if (!(CLIENT_FUNNEL_KINDS as readonly string[]).includes(input.kind)) throw new AppError("invalid:funnel", "Unknown step.");
  const db = await getDb();
  const { attempts } = await registerAttempt({ db, key: `funnel:${input.ip}`, windowSeconds: CLIENT_FUNNEL_LIMIT.windowSeconds });
  if (attempts > CLIENT_FUNNEL_LIMIT.attempts) throw new AppError("throttled:funnel", "Too many requests. Please wait a few minutes.");
  if (input.sessionId) {
    const session = await findSessionById({ db, id: input.sessionId });
    const binding = readBrowserBinding(input.browserBinding);
    if (!session || !sameHash(session.browserBindingHash, binding ? hashToken(binding) : null)) {
      throw new AppError("forbidden:funnel", "This step does not belong to your session.");
    }
    await recordFunnelEvent(db, { hubId: session.hubId, sessionId: session.id, inviteId: session.inviteId, kind: input.kind });
    return;
  }
  const invite = isToken(input.inviteToken) ? await findInviteByTokenHash({ db, tokenHash: hashToken(input.inviteToken) }) : undefined;
  if (!invite) throw new AppError("forbidden:funnel", "This step does not belong to an invite.");
  await recordFunnelEvent(db, { hubId: invite.hubId, inviteId: invite.id, kind: input.kind });
}
