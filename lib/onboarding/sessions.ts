import "server-only";
import { randomUUID } from "node:crypto";
import { findInviteById, claimInviteUse } from "@/db/queries/invites";
import { claimIoSecond, findOpenSessionOfBrowser, insertOnboardingSession, lockBrowserStarts, reissueSessionState } from "@/db/queries/onboarding";
import type { Hub, OnboardingSession } from "@/db/schema";
import { getDb } from "../db";
import { publicBaseUrl } from "../env";
import { AppError, fieldErrorsOf } from "../errors";
import { publishChange } from "../live/publish";
import { authoriseReopen, authoriseStart, inviteRefusal, inviteState, throttleReopen, type Authorisation, type StartCaller } from "./authorise";
import { recordFunnelEvent } from "./funnel";
import { buildIoLink, connectButtonProps, type ConnectButtonProps } from "./connect-url";
import { startRefusal } from "./outcomes";
import { fromStoredPrefill, pickPublicPrefill, prefillSchema, safeReturnPath, toStoredPrefill, type Lang, type Prefill, type PrefillInput } from "./prefill";
import { embeddedSignupSdk, getOnboardingSettings, type EmbeddedSignupSdk } from "./settings";
import { SESSION_TTL_MS, hashToken, newToken, statusPathFor, statusTokenFor } from "./tokens";
import { emitSessionStarted } from "./session-events";

export const SESSION_METHODS = ["connect_button", "popup", "direct_link", "embedded_signup", "permission"] as const;
export type SessionMethod = (typeof SESSION_METHODS)[number];

export type CreateSessionInput = StartCaller & {
  method: SessionMethod;
  prefill?: PrefillInput;
  lang?: Lang;
  /** Connect Button only: the page hosting the button, `/` or `/join/<token>` (docs/security.md R13). */
  returnPath?: string;
  /** The browser's binding cookie value (state.ts); its hash is stored with the session (docs/security.md R11). */
  browserBinding: string;
};

export type CreatedSession = {
  sessionId: string;
  /** The method actually used: a Connect Button falls back to the popup when the hub's IO base is unknown to the package. */
  method: SessionMethod;
  /** null for Embedded Signup, which has no 360dialog redirect. */
  state: string | null;
  statusToken: string;
  statusUrl: string;
  expiresAt: Date;
  lang: Lang;
  /** The 360dialog page to open (signed when the hub has IO Signature on); null for Embedded Signup. */
  ioUrl: string | null;
  connectButton: ConnectButtonProps | null;
  embeddedSignup: EmbeddedSignupSdk | null;
  /** Plain words for the page when something was adjusted (e.g. the popup fallback). */
  notice: string | null;
};

function invalidPrefill(issues: { path: PropertyKey[]; message: string }[]): AppError {
  return new AppError("invalid:prefill", "Please check the details you entered.", { fieldErrors: fieldErrorsOf(issues, "prefill") });
}

/** Staff may set every field; an invite's own prefill wins over what the visitor typed; anonymous visitors set contact fields only. */
function mergePrefill(auth: Authorisation, requested: Prefill): Prefill {
  if (auth.via === "staff") return requested;
  if (auth.via === "invite") return { ...pickPublicPrefill(requested), ...fromStoredPrefill(auth.invite.prefill) };
  return pickPublicPrefill(requested);
}

/** The method a start gets: a permission invite opens the permission screen; a Connect Button falls back to the popup. */
function methodFor(auth: Authorisation, requested: SessionMethod): { method: SessionMethod; notice: string | null } {
  const method = auth.via === "invite" && auth.invite.purpose === "permission" ? "permission" : requested;
  if (method === "connect_button" && !connectButtonProps(auth.hub, {})) {
    return { method: "popup", notice: "The Connect Button does not support this hub's onboarding address, so a popup window is used instead." };
  }
  return { method, notice: null };
}

// Past this many seconds ahead, starts arrive faster than one per second for a minute: refuse rather than sign far ahead.
const MAX_SIGN_AHEAD_SECONDS = 60;

/** A signing second no other start of this hub got (the signature covers only partner id and second). */
async function signingTime(hub: Hub): Promise<Date | undefined> {
  if (!hub.ioSignatureEnabled) return undefined;
  const now = Math.floor(Date.now() / 1000);
  const second = await claimIoSecond({ db: await getDb(), hubId: hub.id, nowSeconds: now });
  if (second > now + MAX_SIGN_AHEAD_SECONDS) {
    throw startRefusal("throttled:io_signature");
  }
  return new Date(second * 1000);
}

type NewSession = Parameters<typeof insertOnboardingSession>[0]["session"];

/**
 * Stores the start in one transaction, so a failed insert takes no invite use. A browser's open session for the
 * same link (or start page) and method is handed back with the new state instead of a second session: the old
 * state stops working, and no second invite use or funnel start is counted. Starts of one browser run one at a
 * time here, so a double click cannot make two sessions. `charged`: whether authoriseStart counted this start;
 * a reopen that finds its session gone meanwhile is authorised in full here.
 */
async function storeSession(input: CreateSessionInput, auth: Authorisation, session: NewSession, charged: boolean): Promise<OnboardingSession> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const browserBindingHash = session.browserBindingHash;
    await lockBrowserStarts({ db: tx, browserBindingHash });
    if (auth.via !== "staff") {
      const open = await findOpenSessionOfBrowser({ db: tx, hubId: auth.hub.id, inviteId: session.inviteId ?? null, method: session.method, browserBindingHash });
      const reissued = open
        ? await reissueSessionState({ db: tx, id: open.id, browserBindingHash, set: { stateHash: session.stateHash, expiresAt: session.expiresAt, prefill: session.prefill } })
        : undefined;
      if (reissued) return reissued;
    }
    if (!charged) await authoriseStart(tx, input);
    if (auth.via === "invite") {
      const claimed = await claimInviteUse({ db: tx, id: auth.invite.id });
      if (!claimed) {
        const now = await findInviteById({ db: tx, id: auth.invite.id });
        const state = now ? inviteState(now) : "revoked";
        throw inviteRefusal(state === "valid" ? "used_up" : state);
      }
    }
    const row = await insertOnboardingSession({ db: tx, session });
    await emitSessionStarted(tx, row);
    const popup = row.method === "popup" || row.method === "permission";
    await recordFunnelEvent(
      tx,
      { hubId: row.hubId, sessionId: row.id, inviteId: row.inviteId, kind: popup ? "popup_opened" : "session_started", detail: { method: row.method } },
    );
    await publishChange(tx, { topic: "session", id: row.id, hubId: row.hubId, sessionId: row.id });
    if (row.inviteId) await publishChange(tx, { topic: "invite", id: row.inviteId, hubId: row.hubId });
    return row;
  });
}

/**
 * The authorisation of a start, and whether it counted a use of the per-IP limit. A browser that already has an
 * open session for this link or start page reopens it (authoriseReopen): limited per session instead of per IP,
 * and not refused by the invite use that session itself took.
 */
async function authorise(input: CreateSessionInput, browserBindingHash: string): Promise<{ auth: Authorisation; charged: boolean }> {
  const db = await getDb();
  const reopen = await authoriseReopen(db, input);
  const open = reopen
    ? await findOpenSessionOfBrowser({
        db,
        hubId: reopen.hub.id,
        inviteId: reopen.via === "invite" ? reopen.invite.id : null,
        method: methodFor(reopen, input.method).method,
        browserBindingHash,
      })
    : undefined;
  if (reopen && open) {
    await throttleReopen(db, input, open.id);
    return { auth: reopen, charged: false };
  }
  return { auth: await authoriseStart(db, input), charged: true };
}

/**
 * Starts one onboarding (docs/security.md R10, R11): checks who may start, stores a session with a one-time `state` bound to
 * this browser, and returns the 360dialog URL (signed now when the hub has IO Signature on) or the Connect
 * Button props or the Embedded Signup settings. Throws AppError with a plain message on refusal.
 */
export async function createOnboardingSession(input: CreateSessionInput): Promise<CreatedSession> {
  const parsed = prefillSchema.safeParse(input.prefill ?? {});
  if (!parsed.success) throw invalidPrefill(parsed.error.issues);
  if (input.returnPath !== undefined && !safeReturnPath(input.returnPath)) {
    throw new AppError("invalid:return_path", "This page cannot start an onboarding.");
  }

  const browserBindingHash = hashToken(input.browserBinding);
  const { auth, charged } = await authorise(input, browserBindingHash);
  const { hub } = auth;
  const settings = getOnboardingSettings(hub);
  const prefill = mergePrefill(auth, parsed.data);
  const lang: Lang = input.lang ?? prefill.lang ?? settings.defaultLang;
  const { method, notice } = methodFor(auth, input.method);

  const sdk = method === "embedded_signup" ? embeddedSignupSdk(settings) : null;
  if (method === "embedded_signup" && !sdk) {
    throw startRefusal("unavailable:embedded_signup");
  }

  const sessionId = randomUUID();
  const state = newToken();
  const base = publicBaseUrl();
  const returnPath = safeReturnPath(input.returnPath) ?? (auth.via === "invite" && input.inviteToken ? `/join/${input.inviteToken}` : "/");
  // docs/security.md R13: the redirect target is always one of our own fixed paths, never a URL from the request.
  const redirectUrl = method === "connect_button" ? `${base}${returnPath}` : `${base}/onboarding/redirect`;
  const link =
    method === "embedded_signup"
      ? null
      : buildIoLink({ hub, screen: method === "permission" ? "permissions" : "io", prefill, lang, state, redirectUrl, signAt: await signingTime(hub) });

  const row = await storeSession(
    input,
    auth,
    {
      id: sessionId,
      hubId: hub.id,
      inviteId: auth.via === "invite" ? auth.invite.id : null,
      method,
      stateHash: hashToken(state),
      browserBindingHash,
      statusTokenHash: hashToken(statusTokenFor(sessionId)),
      prefill: { ...toStoredPrefill(prefill), lang },
      expiresAt: new Date(Date.now() + SESSION_TTL_MS),
    },
    charged,
  );

  return {
    sessionId: row.id,
    method,
    state: method === "embedded_signup" ? null : state,
    statusToken: statusTokenFor(row.id),
    statusUrl: statusPathFor(row.id),
    expiresAt: row.expiresAt,
    lang,
    ioUrl: link?.url ?? null,
    connectButton: method === "connect_button" && link ? connectButtonProps(hub, link.query) : null,
    embeddedSignup: sdk,
    notice,
  };
}
