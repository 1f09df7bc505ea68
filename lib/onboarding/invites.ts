import "server-only";
import { z } from "zod";
import { findClientByExternalId } from "@/db/queries/client-store";
import { findHubById } from "@/db/queries/hubs";
import { findInviteByTokenHash, insertInvite, listInvitesWithProgress, revokeInviteRow, type InviteCursor, type InviteProgress } from "@/db/queries/invites";
import { findOpenSessionOfBrowser } from "@/db/queries/onboarding";
import type { Hub, Invite } from "@/db/schema";
import type { Locale } from "../i18n/locales";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { publicBaseUrl } from "../env";
import { AppError, fieldErrorsOf } from "../errors";
import { partnerApiFor } from "../hub-config/connection";
import { publishChange } from "../live/publish";
import { inviteState, type InviteState } from "./authorise";
import { recordFunnelEvent } from "./funnel";
import { buildIoLink } from "./connect-url";
import { fromStoredPrefill, prefillSchema, toStoredPrefill, type Prefill } from "./prefill";
import { getOnboardingSettings } from "./settings";
import { hashToken, isToken, newToken, readBrowserBinding } from "./tokens";

// Invite links /join/<token>: per-prospect, with prefill, purpose, expiry and a use limit. The token is shown
// once, at creation; only its hash is stored, so the list can show progress but never the link again.

export const DEFAULT_INVITE_DAYS = 14;
const MAX_INVITE_DAYS = 365;

const blankToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);

export const inviteInputSchema = z.object({
  hubId: z.uuid("Choose a hub."),
  label: z.string().trim().max(100, "At most 100 characters.").default(""),
  purpose: z.enum(["new_number", "permission"]).default("new_number"),
  prefill: prefillSchema.default({}),
  expiresAt: z.preprocess(
    blankToUndefined,
    z.coerce
      .date("Enter a valid date.")
      .refine((d) => d.getTime() > Date.now(), "Choose a date in the future.")
      .refine((d) => d.getTime() < Date.now() + MAX_INVITE_DAYS * 86_400_000, `At most ${MAX_INVITE_DAYS} days ahead.`)
      .optional(),
  ),
  maxUses: z.preprocess(blankToUndefined, z.coerce.number().int("Whole numbers only.").min(1, "At least 1.").max(1000).optional()),
});

export type InviteInput = z.input<typeof inviteInputSchema>;

export type CreatedInvite = {
  invite: Invite;
  /** Shown once: the link cannot be rebuilt from what is stored. */
  token: string;
  url: string;
  /** The raw 360dialog link with the prefill, only for hubs with IO Signature off (it cannot carry a fresh signature). */
  directLink: string | null;
};

function invalid(issues: { path: PropertyKey[]; message: string }[]): AppError {
  return new AppError("invalid:invite", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsOf(issues) });
}

/** Known here, or else listed by 360dialog under the hub's partner (a client whose webhooks have not come yet). */
async function clientOfHub(hub: Hub, externalId: string): Promise<boolean> {
  if (await findClientByExternalId({ db: await getDb(), hubId: hub.id, externalId })) return true;
  try {
    return (await partnerApiFor(hub).getClient(externalId)) !== null;
  } catch (error) {
    throw new AppError("upstream:hub", "360dialog could not be asked whether this client is yours; nothing was created. Try again in a minute.", { cause: error });
  }
}

/** Operator+ (the caller checks the role). */
export async function createInvite(actor: Actor, input: InviteInput): Promise<CreatedInvite> {
  const parsed = inviteInputSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error.issues);
  const { hubId, label, purpose, prefill, maxUses } = parsed.data;
  const expiresAt = parsed.data.expiresAt ?? new Date(Date.now() + DEFAULT_INVITE_DAYS * 86_400_000);
  const db = await getDb();
  const hub = await findHubById({ db, id: hubId });
  if (!hub) throw new AppError("not_found:hub", "That hub no longer exists.");
  // A permission request is for one client: its redirect may link only that client (docs/onboarding-redirect.md).
  if (purpose === "permission") {
    // 360dialog: on Partner Payment the partner has API-key permission for every number by default; the
    // permission screen is for Direct Payment only (docs/hub-contract.md §2, "permission screen").
    if (hub.paymentMode === "partner") {
      throw new AppError("invalid:invite", "Please correct the highlighted fields.", {
        fieldErrors: {
          purpose: [
            `${hub.name} uses partner payment: it already has API-key permission for every number of its clients, so there is nothing to ask. Send a “New number” link instead.`,
          ],
        },
      });
    }
    const field = "prefill.clientId";
    if (!prefill.clientId) throw new AppError("invalid:invite", "Please correct the highlighted fields.", { fieldErrors: { [field]: ["Enter the 360dialog client ID of the client you ask for access (see Clients)."] } });
    if (!(await clientOfHub(hub, prefill.clientId))) {
      throw new AppError("invalid:invite", "Please correct the highlighted fields.", { fieldErrors: { [field]: ["360dialog lists no client with this ID under this hub."] } });
    }
  }

  const token = newToken();
  const invite = await db.transaction(async (tx) => {
    const row = await insertInvite({
      db: tx,
      invite: { hubId, tokenHash: hashToken(token), label, purpose, prefill: toStoredPrefill(prefill), expiresAt, maxUses: maxUses ?? null, createdBy: actor.id },
    });
    // No label or prefill in the audit: they hold the prospect's personal data.
    await audit(
      tx,
      {
        actor,
        action: "invite.created",
        targetType: "invite",
        targetId: row.id,
        hubId,
        detail: { purpose, expiresAt: expiresAt.toISOString(), maxUses: row.maxUses, prefilled: Object.keys(row.prefill).sort() },
      },
    );
    await publishChange(tx, { topic: "invite", id: row.id, hubId });
    return row;
  });

  const lang: Locale = prefill.lang ?? getOnboardingSettings(hub).defaultLang;
  const directLink = hub.ioSignatureEnabled
    ? null
    : buildIoLink({ hub, screen: purpose === "permission" ? "permissions" : "io", prefill, lang, sign: false }).url;
  return { invite, token, url: `${publicBaseUrl()}/join/${token}`, directLink };
}

export type InviteListItem = Omit<Invite, "tokenHash"> & InviteProgress & { state: InviteState; prefillFields: string[] };

export async function listInvites(options: { hubId?: string; limit?: number; after?: InviteCursor } = {}): Promise<{ rows: InviteListItem[]; next: InviteCursor | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const page = await listInvitesWithProgress({ db: await getDb(), hubId: options.hubId, after: options.after, limit });
  return {
    rows: page.rows.map(({ tokenHash: _hash, ...row }) => ({ ...row, state: inviteState(row), prefillFields: Object.keys(row.prefill).sort() })),
    next: page.next,
  };
}

/** Operator+ (the caller checks the role). Idempotent: revoking twice keeps the first time. */
export async function revokeInvite(actor: Actor, id: string): Promise<Invite> {
  if (!z.uuid().safeParse(id).success) throw new AppError("not_found:invite", "That invite no longer exists.");
  const db = await getDb();
  return db.transaction(async (tx) => {
    const row = await revokeInviteRow({ db: tx, id });
    if (!row) throw new AppError("not_found:invite", "That invite no longer exists.");
    await audit(tx, { actor, action: "invite.revoked", targetType: "invite", targetId: row.id, hubId: row.hubId, detail: {} });
    await publishChange(tx, { topic: "invite", id: row.id, hubId: row.hubId });
    return row;
  });
}

export type ResolvedInvite = {
  inviteId: string;
  hubId: string;
  purpose: Invite["purpose"];
  state: InviteState;
  /** For the /join page to show or prefill (the link itself is the credential for these). */
  prefill: Prefill;
  expiresAt: Date | null;
  /**
   * The browser asking holds an open session of this invite, so it may start again (reopening that session)
   * even when its own start took the last use.
   */
  openSession: boolean;
};

/**
 * For the /join/<token> page: the invite behind a token, or null. Counts no use; with `recordOpen` notes the
 * `link_opened` funnel step (deduplicated per minute); `browserBinding` (the cookie) fills `openSession`.
 */
export async function resolveInvite(token: string, options: { recordOpen?: boolean; browserBinding?: string | null } = {}): Promise<ResolvedInvite | null> {
  if (!isToken(token)) return null;
  const db = await getDb();
  const invite = await findInviteByTokenHash({ db, tokenHash: hashToken(token) });
  if (!invite) return null;
  const state = inviteState(invite);
  if (options.recordOpen) {
    await recordFunnelEvent(db, { hubId: invite.hubId, inviteId: invite.id, kind: "link_opened", detail: state === "valid" ? null : { state } });
  }
  const binding = readBrowserBinding(options.browserBinding);
  const openSession =
    state === "used_up" && binding !== null
      ? Boolean(await findOpenSessionOfBrowser({ db, hubId: invite.hubId, inviteId: invite.id, browserBindingHash: hashToken(binding) }))
      : false;
  return { inviteId: invite.id, hubId: invite.hubId, purpose: invite.purpose, state, prefill: fromStoredPrefill(invite.prefill), expiresAt: invite.expiresAt, openSession };
}
