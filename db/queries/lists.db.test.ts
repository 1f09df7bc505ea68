import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { forEachDatabase } from "@/test/db/databases";
import { channels, clients, hubs } from "../schema";
import { listChannelsPage } from "./channel-list";
import { listClientsPage } from "./client-list";

forEachDatabase("dashboard lists", (ctx) => {
  async function seed() {
    const { db } = ctx.get();
    const [hub] = await db
      .insert(hubs)
      .values({ name: "H", partnerId: `p${Math.random().toString(36).slice(2, 8)}PA`, partnerApiBaseUrl: "http://x", ioBaseUrl: "http://x" })
      .returning();
    const [client] = await db.insert(clients).values({ hubId: hub!.id, externalId: "acmeCL", name: "Acme GmbH", email: "ops@acme.test" }).returning();
    for (let i = 0; i < 7; i++) {
      await db.insert(channels).values({ hubId: hub!.id, clientId: client!.id, externalId: `1be6I84${i}CH`, phoneNumber: `+49151000000${i}`, status: "running", statusRank: 50 });
    }
    return { db, hub: hub!, client: client! };
  }

  it("finds a channel by an ID that holds digits, and by phone digits", async () => {
    const { db, hub } = await seed();
    const byId = await listChannelsPage({ db, filter: { hubId: hub.id, q: "1be6I843CH" }, limit: 10 });
    expect(byId.rows.map((r) => r.externalId)).toEqual(["1be6I843CH"]);
    const byPhone = await listChannelsPage({ db, filter: { hubId: hub.id, q: "+49 151 0000005" }, limit: 10 });
    expect(byPhone.rows.map((r) => r.externalId)).toEqual(["1be6I845CH"]);
  });

  it("pages channels without gaps or repeats, even with equal timestamps", async () => {
    const { db, hub } = await seed();
    await db.update(channels).set({ statusChangedAt: new Date("2026-01-01T00:00:00.123Z") }).where(eq(channels.hubId, hub.id));
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await listChannelsPage({ db, filter: { hubId: hub.id }, after, limit: 3 });
      seen.push(...page.rows.map((r) => r.externalId));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  it("searches clients by the start of name or email and by phone digits of their numbers", async () => {
    const { db, hub } = await seed();
    expect((await listClientsPage({ db, filter: { hubId: hub.id, q: "acm" }, limit: 10 })).rows).toHaveLength(1);
    expect((await listClientsPage({ db, filter: { hubId: hub.id, q: "ops@" }, limit: 10 })).rows).toHaveLength(1);
    expect((await listClientsPage({ db, filter: { hubId: hub.id, q: "1510000002" }, limit: 10 })).rows).toHaveLength(1);
    expect((await listClientsPage({ db, filter: { hubId: hub.id, q: "zzz" }, limit: 10 })).rows).toHaveLength(0);
    // An email with digits is an email: its digits do not match phone numbers that hold them.
    expect((await listClientsPage({ db, filter: { hubId: hub.id, q: "x-1510000002@client.test" }, limit: 10 })).rows).toHaveLength(0);
  });
});
