import "server-only";
import { z } from "zod";
import { findSessionById, listChannelsByExternalIds } from "@/db/queries/onboarding";
import type { UserRole } from "@/db/schema";
import { getDb } from "../db";
import { isSameOriginRequest } from "../http/same-origin";
import { liveStreamResponse, type LiveStreamOptions } from "../live/sse";
import { holdAtLiveGate, liveTestGate } from "../live/test-gate";
import type { LiveChange } from "../live/types";
import { completeOnboarding, type CompletionDeps } from "./complete";
import { recordEmbeddedSignupEvent } from "./embedded-signup";
import { CLIENT_FUNNEL_KINDS, recordClientFunnelEvent } from "./funnel";
import {
  bindingSetCookie,
  clientIpOf,
  failureResponse,
  forbiddenOrigin,
  json,
  notFound,
  onboardingError,
  readBindingCookie,
  readJsonBody,
} from "./http";
import { LOCALES } from "../i18n/locales";
import { prefillSchema } from "./prefill";
import { SESSION_METHODS, createOnboardingSession } from "./sessions";
import { findSessionForStatusToken } from "./status-page";
import { ensureBrowserBinding } from "./tokens";

// The onboarding API, one function per route handler (the files under app/api/onboarding only delegate here),
// so the whole HTTP surface runs in db tests without Next.js.

export type StaffLookup = () => Promise<{ id: string; email: string; role: UserRole; mustChangePassword?: boolean } | null>;

const startBody = z
  .object({
    hubId: z.uuid().optional(),
    inviteToken: z.string().max(128).optional(),
    method: z.enum(SESSION_METHODS),
    returnPath: z.string().max(200).optional(),
    prefill: prefillSchema.optional(),
    lang: z.enum(LOCALES).optional(),
  })
  .strict();

/** POST /api/onboarding/sessions → 201 CreatedSession (sets the binding cookie); 4xx problem details. */
export async function handleStartSession(request: Request, staff: StaffLookup): Promise<Response> {
  if (!isSameOriginRequest(request)) return forbiddenOrigin();
  const body = await readJsonBody(request, startBody);
  if (!body.ok) return body.response;
  const binding = ensureBrowserBinding(readBindingCookie(request));
  try {
    const user = await staff().catch(() => null);
    const created = await createOnboardingSession({
      ...body.value,
      browserBinding: binding.value,
      ip: clientIpOf(request),
      staffActor: user && !user.mustChangePassword ? { id: user.id, email: user.email, role: user.role } : null,
    });
    // Set on every start (same value when present): the one-day lifetime runs from the latest start.
    return json(created, 201, { "Set-Cookie": bindingSetCookie(binding.value) });
  } catch (error) {
    return onboardingError(error, "start");
  }
}

const completeBody = z.object({ query: z.string().max(9_000) }).strict();

/** POST /api/onboarding/complete { query } → 200 { statusUrl } or 4xx/503 problem details. */
export async function handleComplete(request: Request, deps: CompletionDeps = {}): Promise<Response> {
  if (!isSameOriginRequest(request)) return forbiddenOrigin();
  const body = await readJsonBody(request, completeBody);
  if (!body.ok) return body.response;
  const result = await completeOnboarding({ query: body.value.query, browserBinding: readBindingCookie(request), ip: clientIpOf(request) }, deps);
  return result.ok ? json({ statusUrl: result.statusUrl }) : failureResponse(result.error);
}

const funnelBody = z
  .object({ kind: z.enum(CLIENT_FUNNEL_KINDS), sessionId: z.uuid().optional(), inviteToken: z.string().max(128).optional() })
  .strict()
  .refine((b) => Boolean(b.sessionId) !== Boolean(b.inviteToken), "Give a sessionId or an inviteToken.");

/** POST /api/onboarding/funnel { kind, sessionId | inviteToken } → 204. */
export async function handleFunnel(request: Request): Promise<Response> {
  if (!isSameOriginRequest(request)) return forbiddenOrigin();
  const body = await readJsonBody(request, funnelBody);
  if (!body.ok) return body.response;
  try {
    await recordClientFunnelEvent({ ...body.value, browserBinding: readBindingCookie(request), ip: clientIpOf(request) });
    return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return onboardingError(error, "funnel");
  }
}

const esBody = z
  .object({
    sessionId: z.uuid(),
    message: z.object({
      type: z.literal("WA_EMBEDDED_SIGNUP"),
      event: z.string().max(64),
      version: z.union([z.number(), z.string().max(16)]).optional(),
      data: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .strict();

/** POST /api/onboarding/embedded-signup { sessionId, message } → 200 { ok, statusUrl } or 4xx/502. */
export async function handleEmbeddedSignupEvent(request: Request, deps: CompletionDeps = {}): Promise<Response> {
  if (!isSameOriginRequest(request)) return forbiddenOrigin();
  const body = await readJsonBody(request, esBody);
  if (!body.ok) return body.response;
  const { sessionId, message } = body.value;
  const result = await recordEmbeddedSignupEvent(
    { sessionId, browserBinding: readBindingCookie(request), event: message.event, data: message.data ?? {} },
    deps,
  );
  return result.ok ? json({ ok: true, statusUrl: result.statusUrl }) : failureResponse(result.error);
}

/**
 * GET /api/onboarding/status/<token>/events: live changes of this one session and its channels (SSE). The
 * filter never passes another session's rows; the channel set is refreshed when the session itself changes.
 */
export async function handleStatusEvents(request: Request, token: string, options: Pick<LiveStreamOptions, "subscribe" | "listening" | "recheckMs"> = {}): Promise<Response> {
  const session = await findSessionForStatusToken(token);
  if (!session) return notFound("This status page does not exist.");
  const db = await getDb();
  const channelIds = new Set<string>();
  const refresh = async () => {
    const current = await findSessionById({ db, id: session.id });
    if (!current) return false;
    const rows = current.status === "completed" ? await listChannelsByExternalIds({ db, hubId: current.hubId, externalIds: current.channelExternalIds }) : [];
    channelIds.clear();
    for (const row of rows) channelIds.add(row.id);
    return true;
  };
  await refresh();
  // While the numbers are re-read (a change of this session came in), a number of this hub the old list does
  // not know yet might be this session's: it passes rather than being lost (the page only refetches its own rows).
  let refreshing = 0;
  const refreshCounted = async () => {
    refreshing += 1;
    try {
      return await refresh();
    } finally {
      refreshing -= 1;
    }
  };
  const filter = (change: LiveChange) => {
    if (change.sessionId === session.id) {
      void refreshCounted().catch(() => {});
      return true;
    }
    if (change.topic !== "channel") return false;
    return channelIds.has(change.id) || (refreshing > 0 && change.hubId === session.hubId);
  };
  await holdAtLiveGate(request, "connect");
  // recheck runs once more when the stream is listening (sse.ts), so a number linked to this session before that
  // is known to the filter from then on.
  return liveStreamResponse({ testGate: liveTestGate(request), ...options, signal: request.signal, filter, recheck: refreshCounted });
}
