import "server-only";
import { z } from "zod";
import { findClientById } from "@/db/queries/client-store";
import { findHubById } from "@/db/queries/hubs";
import { findInviteById } from "@/db/queries/invites";
import { findSessionById, listFunnelEvents } from "@/db/queries/onboarding";
import { findUserById } from "@/db/queries/users";
import type { OnboardingEvent, OnboardingSession } from "@/db/schema";
import type { Actor } from "../audit";
import { getDb } from "../db";
import { listHubsOfThisRender } from "../hub-config/render-hubs";
import { inviteState } from "../onboarding/authorise";
import { createInvite, inviteInputSchema, listInvites } from "../onboarding/invites";
import { fromStoredPrefill } from "../onboarding/prefill";
import { qrCodeDataUri } from "../onboarding/qr";
import { funnelStepWords, prefillSummary, readablePrefill, sessionErrorWords, sessionMethodWords, sessionStatusWords } from "./invite-words";

export { INVITE_STATE_WORDS, purposeWords, usesWords } from "./invite-words";

// View loaders of the invite pages: the list (keyset-paged, by hub) and one invite with every session it started.

const PAGE_SIZE = 50;
/** Funnel rows read for one invite's page; past this the page says that older steps are left out. */
const DETAIL_EVENT_LIMIT = 2_000;
const DETAIL_SESSION_LIMIT = 100;

type Raw = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;
const opt = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

// created_at as PostgreSQL prints it, then the id: what listInvitesWithProgress pages by.
const CURSOR = /^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[+-]\d{2}(?::?\d{2})?|Z)?)_([0-9a-f-]{36})$/i;

export function encodeInviteCursor(cursor: { createdAt: string; id: string }): string {
  return `${cursor.createdAt}_${cursor.id}`;
}

export function decodeInviteCursor(value: string | undefined): { createdAt: string; id: string } | undefined {
  const match = value ? CURSOR.exec(value) : null;
  if (!match || !z.uuid().safeParse(match[2]).success) return undefined;
  return { createdAt: match[1]!, id: match[2]! };
}

export const inviteListQuerySchema = z.object({ hub: opt(z.uuid()), after: opt(z.string().max(80)) });

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export async function loadInviteList(raw: Raw) {
  const query = inviteListQuerySchema.parse({ hub: first(raw.hub), after: first(raw.after) });
  const [hubs, page] = await Promise.all([listHubsOfThisRender(), listInvites({ hubId: query.hub, after: decodeInviteCursor(query.after), limit: PAGE_SIZE })]);
  const hubName = new Map(hubs.map((h) => [h.id, h.name]));
  const rows = page.rows.map((invite) => ({
    id: invite.id,
    label: invite.label,
    hubName: hubName.get(invite.hubId) ?? "",
    purpose: invite.purpose,
    state: invite.state,
    useCount: invite.useCount,
    maxUses: invite.maxUses,
    expiresAt: invite.expiresAt,
    createdAt: invite.createdAt,
    prefill: prefillSummary(fromStoredPrefill(invite.prefill)),
    progress: invite.latestEventKind ? { words: funnelStepWords(invite.latestEventKind, null), at: invite.latestEventAt } : null,
    sessions: invite.sessions,
    linked: invite.clientLinked ? `Client linked · ${plural(invite.channelsLinked, "channel", "channels")}` : "No client yet",
  }));
  const nextParams = page.next ? new URLSearchParams({ ...(query.hub ? { hub: query.hub } : {}), after: encodeInviteCursor(page.next) }) : null;
  return {
    query,
    rows,
    nextHref: nextParams ? `?${nextParams}` : null,
    hubs: hubs.map((h) => ({ id: h.id, name: h.name })),
  };
}

/** Today plus the default lifetime, as the date input wants it (UTC). */
export function defaultInviteExpiry(now = new Date(), days = 14): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The create form posts flat fields (`prefill.email`, a date for `expiresAt`): nested here for inviteInputSchema. */
function nestInviteForm(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null) return raw;
  const form = raw as Record<string, unknown>;
  const prefill: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(form)) if (key.startsWith("prefill.")) prefill[key.slice("prefill.".length)] = value;
  const expires = form.expiresAt;
  return {
    hubId: form.hubId,
    label: form.label,
    purpose: form.purpose,
    prefill,
    // A date alone means "through that day" (UTC), so today's date is still a valid choice.
    expiresAt: typeof expires === "string" && /^\d{4}-\d{2}-\d{2}$/.test(expires) ? `${expires}T23:59:59.999Z` : expires,
    maxUses: form.maxUses,
  };
}

export const inviteFormSchema = z.preprocess(nestInviteForm, inviteInputSchema);

export type IssuedInvite = { label: string; url: string; qrCode: string; directLink: string | null };

/** Operator+ (the caller checks the role). What the page shows once: the link, its QR code and the direct link. */
export async function issueInvite(actor: Actor, input: z.output<typeof inviteFormSchema>): Promise<IssuedInvite> {
  const created = await createInvite(actor, input);
  return { label: created.invite.label, url: created.url, qrCode: await qrCodeDataUri(created.url), directLink: created.directLink };
}

function groupBySession(events: OnboardingEvent[]): { linkEvents: OnboardingEvent[]; bySession: Map<string, OnboardingEvent[]> } {
  const linkEvents: OnboardingEvent[] = [];
  const bySession = new Map<string, OnboardingEvent[]>();
  for (const event of events) {
    if (!event.sessionId) linkEvents.push(event);
    else bySession.set(event.sessionId, [...(bySession.get(event.sessionId) ?? []), event]);
  }
  return { linkEvents, bySession };
}

const stepOf = (e: OnboardingEvent) => ({ id: e.id, kind: e.kind, words: funnelStepWords(e.kind, e.detail), at: e.at });

async function describeSession(session: OnboardingSession, events: OnboardingEvent[]) {
  const db = await getDb();
  const client = session.clientId ? await findClientById({ db, id: session.clientId }) : undefined;
  return {
    id: session.id,
    createdAt: session.createdAt,
    method: sessionMethodWords(session.method),
    status: sessionStatusWords(session),
    error: sessionErrorWords(session.error),
    client: client ? { id: client.id, name: client.name || client.externalId, externalId: client.externalId } : null,
    channelExternalIds: session.channelExternalIds,
    revokedExternalIds: session.revokedExternalIds,
    steps: events.map(stepOf),
  };
}

/**
 * One invite with every session started from it, newest first, each with its funnel steps in the order they
 * happened. Sessions are found through their steps: each start records one with the invite (sessions.ts).
 */
export async function loadInviteDetail(id: string) {
  if (!z.uuid().safeParse(id).success) return null;
  const db = await getDb();
  const invite = await findInviteById({ db, id });
  if (!invite) return null;
  const [hub, creator, events] = await Promise.all([
    findHubById({ db, id: invite.hubId }),
    invite.createdBy ? findUserById({ db, id: invite.createdBy }) : Promise.resolve(undefined),
    listFunnelEvents({ db, inviteId: id, limit: DETAIL_EVENT_LIMIT }),
  ]);
  const { linkEvents, bySession } = groupBySession(events);
  const sessionIds = [...bySession.keys()].reverse().slice(0, DETAIL_SESSION_LIMIT);
  const sessions = (await Promise.all(sessionIds.map((sid) => findSessionById({ db, id: sid })))).filter((s): s is OnboardingSession => Boolean(s));
  sessions.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const { tokenHash: _hash, ...shown } = invite;
  return {
    invite: shown,
    state: inviteState(invite),
    hubName: hub?.name ?? "",
    createdBy: creator ? creator.name || creator.email : null,
    prefill: readablePrefill(fromStoredPrefill(invite.prefill)),
    linkSteps: linkEvents.map(stepOf),
    sessions: await Promise.all(sessions.map((s) => describeSession(s, bySession.get(s.id) ?? []))),
    truncated: events.length >= DETAIL_EVENT_LIMIT || bySession.size > DETAIL_SESSION_LIMIT,
  };
}
