import "server-only";
import type { Executor } from "@/db/client";
import { expireOverdueSessions, updateSession } from "@/db/queries/onboarding";
import type { OnboardingSession } from "@/db/schema";
import { emitEvent } from "../events/emit";
import { publishChange } from "../live/publish";

// An onboarding's start and end as the platform's events (docs/events.md §2): started when the client clicks,
// completed when 360dialog's answer is confirmed and linked, abandoned when it fails, is cancelled, or expires
// without ever coming back (the sweep below).

export async function emitSessionStarted(tx: Executor, session: OnboardingSession): Promise<void> {
  await emitEvent(tx, { type: "onboarding.started", hubId: session.hubId, subjectId: session.id, data: { method: session.method, invite_id: session.inviteId } });
}

export async function emitSessionCompleted(tx: Executor, session: OnboardingSession): Promise<void> {
  await emitEvent(tx, {
    type: "onboarding.completed",
    hubId: session.hubId,
    subjectId: session.id,
    data: { client_id: session.clientId, channel_external_ids: session.channelExternalIds },
  });
}

type Ending = { status: "failed" | "cancelled" | "expired"; error?: string | null } & Parameters<typeof updateSession>[0]["set"];

/** Ends a session that did not complete, and says so, in one transaction. */
export async function endSession(db: Executor, session: Pick<OnboardingSession, "id" | "hubId">, set: Ending): Promise<OnboardingSession | undefined> {
  return db.transaction(async (tx) => {
    const ended = await updateSession({ db: tx, id: session.id, set });
    if (!ended) return undefined;
    await emitEvent(tx, { type: "onboarding.abandoned", hubId: ended.hubId, subjectId: ended.id, data: { reason: set.status, error: ended.error } });
    await publishChange(tx, { topic: "session", id: ended.id, hubId: ended.hubId, sessionId: ended.id });
    return ended;
  });
}

/** Every minute: sessions past their expiry that never came back are expired and reported abandoned. */
export async function expireAbandonedSessions({ db, now }: { db: Executor; now: Date }): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const expired = await expireOverdueSessions({ db: tx, now, limit: 200 });
      for (const s of expired) {
        await emitEvent(tx, { type: "onboarding.abandoned", hubId: s.hubId, subjectId: s.id, data: { reason: "expired", error: null } });
        await publishChange(tx, { topic: "session", id: s.id, hubId: s.hubId, sessionId: s.id });
      }
      return expired.length;
    });
    total += batch;
    if (batch < 200) return total;
  }
}
