import "server-only";
import type { Executor } from "@/db/client";
import { findPlatformEvent, freezePlatformEventResource, markPlatformEventDispatched } from "@/db/queries/platform-events";
import type { PlatformEvent } from "@/db/schema";
import type { JobHandler } from "../jobs/types";

/**
 * Something that acts on the portal's events: outbound webhooks, staff alerts. It is called once per event, and
 * again if the dispatch job runs again after a failure or a crash, so it must be idempotent (a unique key per
 * event and target). It receives the event with its frozen resource.
 */
export type EventConsumer = { name: string; consume: (event: PlatformEvent) => Promise<void> };

export type DispatchDeps = {
  getDb: () => Promise<Executor>;
  /** The subject as the REST API shows it (lib/api/resources.ts), or null when there is none. */
  snapshot: (db: Executor, event: PlatformEvent) => Promise<Record<string, unknown> | null>;
  consumers: readonly EventConsumer[];
  now?: () => Date;
};

/**
 * The `event.dispatch` job (docs/events.md §3): freezes the event's resource on its first run (a retry keeps the
 * first snapshot), then hands the event to every consumer in turn. A consumer that throws fails the job, which the
 * runner retries; the consumers before it run again and do nothing new.
 */
export function eventDispatchHandlerWith(deps: DispatchDeps): JobHandler<"event.dispatch"> {
  return async (job) => {
    const db = await deps.getDb();
    const found = await findPlatformEvent({ db, id: job.payload.eventId });
    if (!found) return; // its hub was deleted with it
    const event = found.resource === null ? await freezePlatformEventResource({ db, id: found.id, resource: await deps.snapshot(db, found) }) : found;
    if (!event) return;
    for (const consumer of deps.consumers) await consumer.consume(event);
    await markPlatformEventDispatched({ db, id: event.id, at: (deps.now ?? (() => new Date()))() });
  };
}
