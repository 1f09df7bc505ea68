import "server-only";
import type { Executor } from "@/db/client";
import { emitEvent } from "../events/emit";
import { listStuckChannels } from "./stuck";

/** At most this many stuck numbers are looked at per sweep; the oldest come first, the rest the next minute. */
const SWEEP_LIMIT = 500;

/**
 * Every minute: a number that the stuck rules (stuck.ts) list is announced once per occurrence, i.e. per number,
 * rule and the time the rule counts from (docs/events.md §2). A restriction has its own event (channel.restricted).
 */
export async function announceStuckChannels({ db, now }: { db: Executor; now: Date }): Promise<number> {
  const stuck = await listStuckChannels({ limit: SWEEP_LIMIT, now }, { db });
  let announced = 0;
  for (const s of stuck) {
    if (s.rule === "restricted") continue;
    const event = await emitEvent(db, {
      type: "channel.stuck",
      hubId: s.hubId,
      subjectId: s.channelId,
      data: { rule: s.rule, since: s.since.toISOString(), explanation: s.explanation, next_step: s.nextStep },
      dedupeKey: `channel.stuck:${s.channelId}:${s.rule}:${s.since.getTime()}`,
    });
    if (event) announced++;
  }
  return announced;
}
