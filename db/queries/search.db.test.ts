import { expect, it } from "vitest";
import { forEachDatabase } from "@/test/db/databases";
import { channels, clients, hubs, templates } from "../schema";
import { searchChannels, searchClients, searchDigits, searchTemplates } from "./search";

// The header search (docs/exports.md §5): numbers by any digits whatever their formatting, clients by name, email
// or phone, templates by the start of their name.

forEachDatabase("header search", (ctx) => {
  let seeded: Awaited<ReturnType<typeof insert>> | undefined;

  async function insert() {
    const { db } = ctx.get();
    const [hub] = await db.insert(hubs).values({ name: "Search hub", partnerId: "searchPA", partnerApiBaseUrl: "http://x", ioBaseUrl: "http://x" }).returning();
    const [acme] = await db.insert(clients).values({ hubId: hub!.id, externalId: "acmeCL", name: "Acme GmbH", email: "ops@acme.test", phone: "+49 (151) 777-1234" }).returning();
    const [beta] = await db.insert(clients).values({ hubId: hub!.id, externalId: "betaCL", name: "Beta Ltd", email: "hi@beta.test" }).returning();
    const [de] = await db.insert(channels).values({ hubId: hub!.id, clientId: acme!.id, externalId: "deCH", phoneNumber: "+4915123456789" }).returning();
    const [uk] = await db.insert(channels).values({ hubId: hub!.id, clientId: beta!.id, externalId: "ukCH", phoneNumber: "+44 7700 900123" }).returning();
    await db.insert(templates).values([
      { hubId: hub!.id, channelId: de!.id, name: "order_update", language: "en_US", category: "UTILITY", components: [] },
      { hubId: hub!.id, channelId: de!.id, name: "order_update", language: "de", category: "UTILITY", components: [] },
      { hubId: hub!.id, channelId: uk!.id, name: "welcome_offer", language: "en_GB", category: "MARKETING", components: [] },
    ]);
    return { db, acme: acme!, beta: beta!, de: de!, uk: uk! };
  }
  const seed = async () => (seeded ??= await insert());

  it("reads digits only from searches that look like numbers", () => {
    expect(searchDigits("+49 15…")).toBe("4915");
    expect(searchDigits("4915")).toBe("4915");
    expect(searchDigits("491")).toBeNull();
    expect(searchDigits("ana.2024@x.test")).toBeNull();
    expect(searchDigits("order_2024")).toBeNull();
  });

  it("finds a number by its start, its end or its middle, whatever the formatting", async () => {
    const { db, de, uk } = await seed();
    const ids = async (q: string) => (await searchChannels({ db, q, limit: 10 })).map((r) => r.id);
    expect(await ids("4915")).toEqual([de.id]);
    expect(await ids("+49 15…")).toEqual([de.id]);
    expect(await ids("+49 (151) 234")).toEqual([de.id]);
    expect(await ids("6789")).toEqual([de.id]);
    expect(await ids("447700900123")).toEqual([uk.id]);
    expect(await ids("900 123")).toEqual([uk.id]);
    expect(await ids("ukCH")).toEqual([uk.id]);
    expect(await ids("0000")).toEqual([]);
  });

  it("finds clients by name, email or phone digits, and templates by the start of the name", async () => {
    const { db, acme, beta } = await seed();
    expect((await searchClients({ db, q: "acm", limit: 10 })).map((c) => c.id)).toEqual([acme.id]);
    expect((await searchClients({ db, q: "HI@", limit: 10 })).map((c) => c.id)).toEqual([beta.id]);
    expect((await searchClients({ db, q: "4915177", limit: 10 })).map((c) => c.id)).toEqual([acme.id]);
    expect((await searchClients({ db, q: "1234", limit: 10 })).map((c) => c.id)).toEqual([acme.id]);
    expect(await searchClients({ db, q: "100%", limit: 10 })).toEqual([]);
    const found = await searchTemplates({ db, q: "ORDER", limit: 10 });
    expect(found.map((t) => `${t.name}/${t.language}`)).toEqual(["order_update/de", "order_update/en_US"]);
    expect(await searchTemplates({ db, q: "_", limit: 10 })).toEqual([]);
  });
});
