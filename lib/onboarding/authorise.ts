import "server-only";
import { getEnv } from "../env";
import { findHubById, listHubs } from "@/db/queries/hubs";
import { findInviteByTokenHash } from "@/db/queries/invites";
import { listOpenSignupHubs } from "@/db/queries/onboarding";
import { registerAttempt } from "@/db/queries/throttle";
import type { Executor } from "@/db/client";
import type { Hub, Invite } from "@/db/schema";
import type { Actor } from "../audit";
import { hasRole, type UserRole } from "../auth/roles";
import { AppError } from "../errors";
import { startRefusal } from "./outcomes";
import { hashToken, isToken } from "./tokens";

// Who may start an onboarding (docs/security.md R10): the holder of a valid invite link, a signed-in operator, or anyone on a
// hub with open signup, rate-limited per IP. Everyone else gets no session and so no IO Signature.

export const START_LIMIT = { windowSeconds: 15 * 60 } as const;

export type StaffActor = Actor & { role: UserRole };

export type StartCaller = {
  hubId?: string;
  inviteToken?: string;
  ip: string;
  /** The signed-in user, if any; only operators and admins count as staff here. */
  staffActor?: StaffActor | null;
};

export type Authorisation =
  | { via: "invite"; hub: Hub; invite: Invite }
  | { via: "staff"; hub: Hub; actor: Actor }
  | { via: "open_signup"; hub: Hub };

export type InviteState = "valid" | "expired" | "revoked" | "used_up";

export function inviteState(invite: Pick<Invite, "revokedAt" | "expiresAt" | "maxUses" | "useCount">, now = new Date()): InviteState {
  if (invite.revokedAt) return "revoked";
  if (invite.expiresAt && invite.expiresAt <= now) return "expired";
  if (invite.maxUses !== null && invite.useCount >= invite.maxUses) return "used_up";
  return "valid";
}

const inviteRefusals = { expired: "forbidden:invite_expired", revoked: "forbidden:invite_revoked", used_up: "forbidden:invite_used_up" } as const;

export function inviteRefusal(state: Exclude<InviteState, "valid">): AppError {
  return startRefusal(inviteRefusals[state]);
}

async function throttle(db: Executor, ip: string): Promise<void> {
  const { attempts } = await registerAttempt({ db, key: `onboard:${ip}`, windowSeconds: START_LIMIT.windowSeconds });
  if (attempts > getEnv().ONBOARDING_STARTS_PER_IP) {
    throw startRefusal("throttled:onboarding");
  }
}

function staffOf(caller: StartCaller): StaffActor | null {
  return caller.staffActor && hasRole(caller.staffActor.role, "operator") ? caller.staffActor : null;
}

async function loadHub(db: Executor, hubId: string): Promise<Hub> {
  const hub = await findHubById({ db, id: hubId });
  if (!hub) throw new AppError("not_found:hub", "This onboarding link is not valid.");
  // An archived hub takes no new sign-ups (docs/hub-settings.md §6).
  if (hub.archivedAt) throw new AppError("gone:hub_archived", "This onboarding link is no longer in use.");
  return hub;
}

/** Decides whether the caller may start, and on which hub. Counts no invite use: that happens with the session. */
export async function authoriseStart(db: Executor, caller: StartCaller): Promise<Authorisation> {
  const staff = staffOf(caller);

  if (caller.inviteToken !== undefined) {
    if (!staff) await throttle(db, caller.ip);
    const invite = isToken(caller.inviteToken) ? await findInviteByTokenHash({ db, tokenHash: hashToken(caller.inviteToken) }) : undefined;
    if (!invite) throw startRefusal("forbidden:invite");
    if (caller.hubId && caller.hubId !== invite.hubId) throw new AppError("forbidden:invite_hub", "This invite link is not valid here.");
    const state = inviteState(invite);
    if (state !== "valid") throw inviteRefusal(state);
    return { via: "invite", hub: await loadHub(db, invite.hubId), invite };
  }

  if (staff) {
    if (caller.hubId) return { via: "staff", hub: await loadHub(db, caller.hubId), actor: { id: staff.id, email: staff.email } };
    const all = (await listHubs({ db })).filter((h) => !h.archivedAt);
    if (all.length === 1 && all[0]) return { via: "staff", hub: all[0], actor: { id: staff.id, email: staff.email } };
    throw new AppError(all.length ? "invalid:hub" : "not_found:hub", all.length ? "Choose the hub to onboard on." : "No hub is set up yet.");
  }

  await throttle(db, caller.ip);
  const open = await listOpenSignupHubs({ db });
  const hub = caller.hubId ? open.find((h) => h.id === caller.hubId) : open.length === 1 ? open[0] : undefined;
  if (hub) return { via: "open_signup", hub };
  if (!caller.hubId && open.length > 1) throw new AppError("invalid:hub", "Choose your provider's onboarding page.");
  throw startRefusal("forbidden:onboarding");
}

/**
 * Where a start from a browser that already has an open session may reopen it instead (an invite link, or a
 * hub's open signup), resolved without counting anything: no invite use, no per-IP slot, since the session being
 * reopened paid both. null when there is no such scope (unknown link, signup closed, a staff start without an
 * invite: staff start one session per client on purpose). An invite may be "used up" by that very session's
 * use, so only revoked and expired links refuse here; the caller reopens only a session that exists.
 */
export async function authoriseReopen(db: Executor, caller: StartCaller): Promise<Authorisation | null> {
  if (caller.inviteToken !== undefined) {
    const invite = isToken(caller.inviteToken) ? await findInviteByTokenHash({ db, tokenHash: hashToken(caller.inviteToken) }) : undefined;
    if (!invite || (caller.hubId && caller.hubId !== invite.hubId)) return null;
    const state = inviteState(invite);
    if (state === "revoked" || state === "expired") return null;
    const hub = await findHubById({ db, id: invite.hubId });
    return hub ? { via: "invite", hub, invite } : null;
  }
  if (staffOf(caller)) return null;
  const open = await listOpenSignupHubs({ db });
  const hub = caller.hubId ? open.find((h) => h.id === caller.hubId) : open.length === 1 ? open[0] : undefined;
  return hub ? { via: "open_signup", hub } : null;
}

/**
 * Reopening is bounded per session rather than per IP: one browser retrying cannot lock out its office, and
 * cannot mint IO Signatures without limit either (each reopen of a signing hub signs anew).
 */
export async function throttleReopen(db: Executor, caller: StartCaller, sessionId: string): Promise<void> {
  if (staffOf(caller)) return;
  const { attempts } = await registerAttempt({ db, key: `onboard-reopen:${sessionId}`, windowSeconds: START_LIMIT.windowSeconds });
  if (attempts > getEnv().ONBOARDING_STARTS_PER_IP) throw startRefusal("throttled:onboarding_reopen");
}
