import { sql } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { seedDatabase } from "@/db/seed";
import { forEachDatabase, selectRows } from "@/test/db/databases";
import { countStuckChannels, listStuckChannels, listStuckChannelsWithCounts } from "./stuck";
import { setTestEnvironment } from "@/test/support/channels";

setTestEnvironment();

const NOW = new Date("2026-05-01T12:00:00Z");

// The channel list asks only about its own rows (channelIds): the same answers as the hub-wide list, for those rows.
forEachDatabase("stuck numbers narrowed to given channels", (ctx) => {
  let db: Database;
  let hubId: string;

  beforeAll(async () => {
    db = ctx.get().db;
    hubId = (await seedDatabase(db, { scale: 300, seed: 3, now: NOW })).hubId;
  });

  it("finds exactly the stuck ones among the given channels, with the same rule and explanation", async () => {
    const all = await listStuckChannels({ hubId, limit: 500, now: NOW }, { db });
    expect(new Set(all.map((s) => s.rule)).size).toBeGreaterThanOrEqual(3);
    const others = await selectRows<{ id: string }>(db, sql`select id from channels where hub_id = ${hubId} order by external_id limit 40`);
    const half = all.filter((_, i) => i % 2 === 0);
    const ids = [...new Set([...half.map((s) => s.channelId), ...others.map((o) => o.id)])];
    const narrowed = await listStuckChannels({ hubId, limit: 500, now: NOW, channelIds: ids }, { db });
    const key = (s: { channelId: string; rule: string; explanation: string }) => `${s.channelId}|${s.rule}|${s.explanation}`;
    expect(narrowed.map(key).sort()).toEqual(all.filter((s) => ids.includes(s.channelId)).map(key).sort());
    expect(await listStuckChannels({ hubId, limit: 500, now: NOW, channelIds: [] }, { db })).toEqual([]);
  });

  it("runs a page's statement, built once per shape, with each call's own time, limit and rows", async () => {
    const later = new Date(NOW.getTime() + 3 * 86_400_000);
    const first = await listStuckChannelsWithCounts({ hubId, limit: 5, now: NOW }, { db });
    const second = await listStuckChannelsWithCounts({ hubId, limit: 3, now: later }, { db });
    // The totals each page brings agree with the counts of their own time (a separate statement).
    expect({ total: first.total, byRule: first.byRule }).toEqual(await countStuckChannels({ hubId, now: NOW }, { db }));
    expect({ total: second.total, byRule: second.byRule }).toEqual(await countStuckChannels({ hubId, now: later }, { db }));
    // Numbers still being set up at NOW are overdue three days later: the later call did not reuse NOW.
    expect(second.byRule.not_running).toBeGreaterThan(first.byRule.not_running);
    expect(second.total).toBeGreaterThan(3);
    expect(second.rows).toHaveLength(3);
    expect(first.rows).toHaveLength(Math.min(5, first.total));
    expect(second.rows).toEqual((await listStuckChannels({ hubId, limit: 3, now: later }, { db })));
    // And the first shape again, after the other values ran in it: the same answer as the first time.
    expect(await listStuckChannelsWithCounts({ hubId, limit: 5, now: NOW }, { db })).toEqual(first);
  });
});
