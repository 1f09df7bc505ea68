import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { forEachDatabase, selectRows } from "@/test/db/databases";
import type { Database } from "./client";
import { countChannelsByStatus } from "./queries/channel-list";
import { insertHub } from "./queries/hubs";
import { apiKeys, channels, hubs, templates } from "./schema";

// The triggers of drizzle/0002: per-hub status counters and channels.has_active_key, against the truth.

forEachDatabase("dashboard counters kept by triggers", (ctx) => {
  let db: Database;
  const newHub = async () => {
    const id = randomUUID();
    await insertHub({ db, hub: { id, name: `Hub ${id.slice(0, 4)}`, partnerId: `p${id.slice(0, 8)}`, partnerApiBaseUrl: "http://127.0.0.1:9", ioBaseUrl: "http://127.0.0.1:9" } });
    return id;
  };
  const truth = async (hubId?: string) =>
    selectRows<{ status: string; n: number }>(
      db,
      sql`select status, count(*)::int as n from channels ${hubId ? sql`where hub_id = ${hubId}` : sql``} group by status order by status`,
    );
  const counted = async (hubId?: string) => (await countChannelsByStatus({ db, hubId })).sort((a, b) => a.status.localeCompare(b.status));
  const keyFlagsWrong = async () =>
    selectRows<{ id: string }>(db, sql`select id from channels c where c.has_active_key <> exists (select 1 from api_keys a where a.channel_id = c.id and a.status = 'active')`);

  beforeAll(() => {
    db = ctx.get().db;
  });

  it("counts inserts, status moves, upserts and deletes per hub, and sums hubs when none is given", async () => {
    const [a, b] = [await newHub(), await newHub()];
    const rows = (hubId: string, n: number, status: string) => Array.from({ length: n }, (_, i) => ({ hubId, externalId: `${status}-${i}-${randomUUID()}`, status }));
    await db.insert(channels).values([...rows(a, 3, "created"), ...rows(a, 2, "running"), ...rows(b, 4, "ready")]);
    await db.update(channels).set({ status: "running", statusRank: 50 }).where(sql`${channels.hubId} = ${a} and ${channels.status} = 'created' and ${channels.externalId} like 'created-0-%'`);
    await db.update(channels).set({ lastEventAt: new Date() }).where(eq(channels.hubId, b));
    const [one] = await db.select().from(channels).where(eq(channels.hubId, b)).limit(1);
    await db
      .insert(channels)
      .values({ hubId: b, externalId: one!.externalId, status: "running" })
      .onConflictDoUpdate({ target: [channels.hubId, channels.externalId], set: { status: "running" } });
    await db.delete(channels).where(sql`${channels.hubId} = ${a} and ${channels.status} = 'running' and ${channels.externalId} like 'running-0-%'`);
    for (const hubId of [a, b, undefined]) expect(await counted(hubId)).toEqual(await truth(hubId));
    expect(await counted(a)).toEqual([
      { status: "created", n: 2 },
      { status: "running", n: 2 },
    ]);
    await db.delete(hubs).where(eq(hubs.id, a));
    expect(await counted(a)).toEqual([]);
    expect(await counted()).toEqual(await truth());
  });

  it("counts templates per hub and status through inserts, status changes and deletes", async () => {
    const hubId = await newHub();
    const [channel] = await db.insert(channels).values({ hubId, externalId: `t-${hubId}` }).returning();
    const template = (name: string, status: string) => ({ hubId, channelId: channel!.id, name, language: "en", category: "UTILITY", status });
    await db.insert(templates).values([template("a", "draft"), template("b", "submitted"), template("c", "submitted")]);
    await db.update(templates).set({ status: "approved" }).where(sql`${templates.channelId} = ${channel!.id} and ${templates.name} in ('a', 'b')`);
    await db.delete(templates).where(sql`${templates.channelId} = ${channel!.id} and ${templates.name} = 'c'`);
    const counts = await selectRows<{ status: string; n: number }>(db, sql`select status, n from template_status_counts where hub_id = ${hubId} and n <> 0 order by status`);
    expect(counts).toEqual([{ status: "approved", n: 2 }]);
  });

  it("keeps has_active_key equal to whether an active key exists, through insert, status changes and delete", async () => {
    const hubId = await newHub();
    const [c1, c2] = await db.insert(channels).values([{ hubId, externalId: `k1-${hubId}` }, { hubId, externalId: `k2-${hubId}` }]).returning();
    const key = (channelId: string, grantId: string, status: "pending" | "active" | "revoked") => ({ hubId, channelId, grantId, status });
    await db.insert(apiKeys).values([key(c1!.id, "g1", "pending"), key(c2!.id, "g1", "active")]);
    expect(await keyFlagsWrong()).toEqual([]);
    await db.update(apiKeys).set({ status: "active" }).where(eq(apiKeys.channelId, c1!.id));
    await db.insert(apiKeys).values(key(c2!.id, "g2", "active"));
    await db.update(apiKeys).set({ status: "revoked" }).where(sql`${apiKeys.channelId} = ${c2!.id} and ${apiKeys.grantId} = 'g1'`);
    let flags = await db.select({ id: channels.id, has: channels.hasActiveKey }).from(channels).where(eq(channels.hubId, hubId));
    expect(flags.every((f) => f.has)).toBe(true);
    await db.delete(apiKeys).where(eq(apiKeys.channelId, c2!.id));
    await db.update(apiKeys).set({ status: "revoked" }).where(eq(apiKeys.channelId, c1!.id));
    flags = await db.select({ id: channels.id, has: channels.hasActiveKey }).from(channels).where(eq(channels.hubId, hubId));
    expect(flags.some((f) => f.has)).toBe(false);
    expect(await keyFlagsWrong()).toEqual([]);
  });
});
