import "server-only";
import type { Executor } from "@/db/client";
import { insertPlatformEvent } from "@/db/queries/platform-events";
import { enqueueJob } from "../jobs/enqueue";
import { EVENT_CATALOGUE, type EventType } from "./catalogue";

export type EmitInput = {
  type: EventType;
  hubId: string | null;
  /** The resource the event is about; its subject type comes from the catalogue. */
  subjectId: string;
  /** What changed, in snake_case JSON (e.g. `{ from: "pending", to: "running" }`). Never a secret. */
  data?: Record<string, unknown>;
  /** Once per occurrence: a second emit with this key records nothing and returns null. */
  dedupeKey?: string;
};

/**
 * Records one of the portal's events (docs/events.md). Pass the transaction of the change that caused it: the event
 * and the job that dispatches it commit with that change or not at all (docs/security.md R8). Dispatch (lib/events/
 * dispatch.ts) freezes the resource and hands the event to every consumer (outbound webhooks, alerts).
 */
export async function emitEvent(db: Executor, input: EmitInput): Promise<{ id: string; seq: number } | null> {
  const event = await insertPlatformEvent({
    db,
    event: {
      type: input.type,
      hubId: input.hubId,
      subjectType: EVENT_CATALOGUE[input.type].subject,
      subjectId: input.subjectId,
      data: input.data ?? {},
      dedupeKey: input.dedupeKey,
    },
  });
  if (!event) return null;
  await enqueueJob(db, { kind: "event.dispatch", payload: { eventId: event.id }, uniqueKey: `event.dispatch:${event.id}` });
  return event;
}
