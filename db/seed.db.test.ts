import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { revealApiKey } from "@/lib/channels/api-keys";
import { listStuckChannels } from "@/lib/channels/stuck";
import { setTestEnvironment } from "@/test/support/channels";
import { openPlatformSecret } from "@/lib/hub-config/secrets";
import { forEachDatabase, selectRows } from "@/test/db/databases";
import type { Database } from "./client";
import { findHubById, insertHub } from "./queries/hubs";
import { countSeedRows, SeedRefusedError, seedDatabase, seededApiKey, type SeedResult } from "./seed";

setTestEnvironment();

const NOW = new Date("2026-05-01T12:00:00Z");

forEachDatabase("db:seed --scale 200", (ctx) => {
  let db: Database;
  let seeded: SeedResult;
  const q = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) => selectRows<T>(db, query);

  beforeAll(async () => {
    db = ctx.get().db;
    seeded = await seedDatabase(db, { scale: 200, seed: 7, password: "seed-test-password", now: NOW });
  });

  it("writes the expected amounts, all under the one seed hub", async () => {
    const c = seeded.counts;
    expect(c.channels).toBe(200);
    expect(c.clients).toBe(160);
    expect(c.channel_events).toBeGreaterThanOrEqual(3 * 190);
    expect(c.channel_events).toBeLessThanOrEqual(6 * 200);
    expect(c.api_keys).toBeGreaterThan(150);
    expect(c.templates).toBeGreaterThanOrEqual(2 * c.api_keys!);
    expect(c.template_events).toBeGreaterThan(c.templates! * 0.9);
    expect(c.onboarding_sessions).toBe(160 + 96);
    expect(c.webhook_events).toBe(200);
    const [foreign] = await q<{ n: number }>(sql`select
      (select count(*) from channels where hub_id <> ${seeded.hubId}) + (select count(*) from clients where hub_id <> ${seeded.hubId})
      + (select count(*) from channel_events e join channels c on c.id = e.channel_id where e.hub_id <> c.hub_id) as n`);
    expect(Number(foreign!.n)).toBe(0);
    const [derived] = await q<{ wrong_flags: number; wrong_counts: number }>(sql`select
      (select count(*) from channels c where c.has_active_key <> exists (select 1 from api_keys a where a.channel_id = c.id and a.status = 'active')) as wrong_flags,
      (select count(*) from (select hub_id, status, count(*)::int as n from channels group by 1, 2
        except select hub_id, status, n from channel_status_counts where n > 0) d)
      + (select count(*) from (select hub_id, status, count(*)::int as n from templates group by 1, 2
        except select hub_id, status, n from template_status_counts where n > 0) d) as wrong_counts`);
    expect({ flags: Number(derived!.wrong_flags), counts: Number(derived!.wrong_counts) }).toEqual({ flags: 0, counts: 0 });
  });

  it("links every channel to a client of its hub created before it, and most clients have one number", async () => {
    const [r] = await q<{ orphans: number; later: number; multi: number }>(sql`select
      count(*) filter (where cl.id is null or cl.hub_id <> ch.hub_id) as orphans,
      count(*) filter (where cl.created_at > ch.created_at) as later,
      (select count(*) from (select client_id from channels group by client_id having count(*) > 1) m) as multi
      from channels ch left join clients cl on cl.id = ch.client_id`);
    expect(Number(r!.orphans)).toBe(0);
    expect(Number(r!.later)).toBe(0);
    expect(Number(r!.multi)).toBeGreaterThan(5);
  });

  it("gives each channel a history in time order that ends in its current status", async () => {
    const bad = await q<{ id: string }>(sql`select ch.id from channels ch
      where (select e.status from channel_events e where e.channel_id = ch.id and e.event in ('channel_created', 'channel_submitted', 'channel_ready', 'channel_running')
             order by e.occurred_at desc, e.id desc limit 1) is distinct from (case when ch.status in ('submitted', 'verified') then 'submitted' else ch.status end)
         or exists (select 1 from channel_events e where e.channel_id = ch.id and (e.occurred_at < ch.created_at or e.occurred_at > ${NOW.toISOString()}::timestamptz))`);
    expect(bad).toEqual([]);
  });

  it("stores keys the app decrypts, sealed for their own channel", async () => {
    const keys = await q<{ channel_id: string; last4: string }>(sql`select channel_id, last4 from api_keys where status = 'active' order by channel_id limit 3`);
    expect(keys).toHaveLength(3);
    const [admin] = await q<{ id: string; email: string }>(sql`select id, email from users where email = 'admin@seed.example'`);
    for (const key of keys) {
      const shown = await revealApiKey({ id: admin!.id, email: admin!.email, role: "admin" }, key.channel_id, { db });
      expect(shown.apiKey).toBe(seededApiKey(7, key.channel_id));
      expect(shown.last4).toBe(key.last4);
    }
    const hub = await findHubById({ db, id: seeded.hubId });
    expect(openPlatformSecret(hub!)).toMatch(/^[\w-]{20,}$/);
  });

  it("leaves a few stuck numbers for the overview, and dated funnel steps", async () => {
    const stuck = await listStuckChannels({ hubId: seeded.hubId, limit: 500, now: NOW }, { db });
    expect(stuck.length).toBeGreaterThan(0);
    expect(stuck.length).toBeLessThan(40);
    const [f] = await q<{ kinds: number; oldest: string }>(sql`select count(distinct kind) as kinds, min(at)::text as oldest from onboarding_events`);
    expect(Number(f!.kinds)).toBeGreaterThanOrEqual(6);
    expect(new Date(f!.oldest).getTime()).toBeLessThan(NOW.getTime() - 365 * 86_400_000);
  });

  it("is deterministic for one --seed and replaces its own previous hub", async () => {
    const before = await q<{ name: string; phone_number: string }>(sql`select cl.name, ch.phone_number from channels ch join clients cl on cl.id = ch.client_id order by ch.external_id limit 20`);
    const again = await seedDatabase(db, { scale: 200, seed: 7, password: "seed-test-password", now: NOW });
    const after = await q<{ name: string; phone_number: string }>(sql`select cl.name, ch.phone_number from channels ch join clients cl on cl.id = ch.client_id order by ch.external_id limit 20`);
    expect(after).toEqual(before);
    expect(await countSeedRows(db, again.hubId)).toEqual(seeded.counts);
    const [hubs] = await q<{ n: number }>(sql`select count(*) as n from hubs`);
    expect(Number(hubs!.n)).toBe(1);
    seeded = again;
  });

  it("refuses a database with another partner's hub unless forced", async () => {
    const id = randomUUID();
    await insertHub({ db, hub: { id, name: "Real partner", partnerId: "realPA", partnerApiBaseUrl: "http://127.0.0.1:9", ioBaseUrl: "http://127.0.0.1:9" } });
    await expect(seedDatabase(db, { scale: 10, now: NOW })).rejects.toBeInstanceOf(SeedRefusedError);
    const [n] = await q<{ n: number }>(sql`select count(*) as n from channels`);
    expect(Number(n!.n)).toBe(200);
    const forced = await seedDatabase(db, { scale: 10, now: NOW, force: true });
    expect(forced.counts.channels).toBe(10);
  });
});
