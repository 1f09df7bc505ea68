import { sql } from "drizzle-orm";
import { parse } from "csv-parse/sync";
import { expect, it } from "vitest";
import { listAuditEntries } from "@/db/queries/audit";
import { listChannelsPage } from "@/db/queries/channel-list";
import { listTemplatesPage } from "@/db/queries/templates";
import { auditLog, clients, hubs } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { EXPORT_LISTS, EXPORT_PAGE, exportCsv, type ExportList } from "./exports";

// The CSV exports (docs/exports.md): the same rows as the list's own query under the same filters, read page by
// page only as the download consumes them.

const CHANNELS = 5_000;

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

function records(text: string): string[][] {
  return parse(text, { bom: true, relax_column_count: false }) as string[][];
}

forEachDatabase("list exports", (ctx) => {
  let seeded: { hubId: string; otherHubId: string } | undefined;

  async function seed() {
    if (seeded) return seeded;
    const { db } = ctx.get();
    const [hub] = await db.insert(hubs).values({ name: "Export hub", partnerId: "exportPA", partnerApiBaseUrl: "http://x", ioBaseUrl: "http://x" }).returning();
    const [other] = await db.insert(hubs).values({ name: "Other hub", partnerId: "otherPA", partnerApiBaseUrl: "http://x", ioBaseUrl: "http://x" }).returning();
    const [client] = await db
      .insert(clients)
      .values({ hubId: hub!.id, externalId: "evilCL", name: '=HYPERLINK("http://evil.test","Click")', email: "@ops@acme.test", phone: "+49 151 2345" })
      .returning();
    // Many channels in one statement, statuses and timestamps spread (some equal) so keyset paging is exercised.
    await db.execute(sql`
      insert into channels (hub_id, client_id, external_id, phone_number, status, status_rank, status_changed_at)
      select ${hub!.id}::uuid, case when i % 10 = 0 then ${client!.id}::uuid end, 'ch' || i || 'CH', '+4915' || lpad(i::text, 9, '0'),
             case when i % 3 = 0 then 'running' else 'submitted' end, case when i % 3 = 0 then 50 else 20 end,
             timestamptz '2026-01-01' + ((i / 7) * interval '1 second')
      from generate_series(1, ${CHANNELS}) i`);
    await db.execute(sql`
      insert into channels (hub_id, external_id, phone_number, status, status_rank)
      select ${other!.id}::uuid, 'other' || i || 'CH', '+4416' || lpad(i::text, 8, '0'), 'running', 50 from generate_series(1, 50) i`);
    for (let i = 0; i < 30; i++) {
      await db.insert(auditLog).values({ actorLabel: i % 2 ? "ana@x.test" : "system", action: i % 3 ? "invite.created" : "hub.saved", hubId: hub!.id, detail: { n: i, note: "-2+3" } });
    }
    seeded = { hubId: hub!.id, otherHubId: other!.id };
    return seeded;
  }

  /** What the list page shows, page after page of 50, under the same filter. */
  async function listedChannelIds(filter: Parameters<typeof listChannelsPage>[0]["filter"]): Promise<string[]> {
    const { db } = ctx.get();
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await listChannelsPage({ db, filter, after, limit: 50 });
      ids.push(...page.rows.map((r) => r.id));
      after = page.next ?? undefined;
    } while (after);
    return ids;
  }

  it("exports exactly the rows the filtered channel list shows, in its order", async () => {
    const { hubId } = await seed();
    const { db } = ctx.get();
    const text = await readAll(await exportCsv(EXPORT_LISTS.channels({ hub: hubId, status: "running" }), { db }));
    const [header, ...rows] = records(text);
    expect(header?.[0]).toBe("Channel ID");
    const expected = await listedChannelIds({ hubId, status: "running" });
    expect(expected.length).toBe(Math.floor(CHANNELS / 3));
    expect(rows.map((r) => r[0])).toEqual(expected);
    // Phone search: the same digits filter as the page's search box.
    const searched = records(await readAll(await exportCsv(EXPORT_LISTS.channels({ q: "+49 15 000000 12" }), { db }))).slice(1);
    expect(searched.map((r) => r[0])).toEqual(await listedChannelIds({ q: "+49 15 000000 12" }));
    expect(searched.length).toBeGreaterThan(0);
    // The page cursor is not a filter: an export started from page 3 still holds every row.
    const fromLaterPage = records(await readAll(await exportCsv(EXPORT_LISTS.channels({ hub: hubId, status: "running", after: "2026-01-01 00:00:00+00~00000000-0000-0000-0000-000000000000" }), { db })));
    expect(fromLaterPage.length - 1).toBe(expected.length);
  });

  it("reads the database one page at a time, only as the download pulls", async () => {
    const { hubId } = await seed();
    const { db } = ctx.get();
    const source = EXPORT_LISTS.channels({ hub: hubId });
    const pages: number[] = [];
    const counted: ExportList = {
      ...source,
      page: async (d, after) => {
        const page = await source.page(d, after);
        pages.push(page.rows.length);
        return page;
      },
    };
    const stream = await exportCsv(counted, { db });
    const reader = stream.getReader();
    await reader.read(); // header
    await reader.read(); // first page of rows
    // Never more than one page ahead of what was read: memory does not grow with the list.
    expect(pages.length).toBeLessThanOrEqual(2);
    expect(Math.max(...pages)).toBeLessThanOrEqual(EXPORT_PAGE);
    // A download stopped early stops the reading: at most the page already asked for finishes (of 5).
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 50));
    expect(pages.length).toBeLessThanOrEqual(3);
    // Read to the end: every row once, in ceil(n / page) + at most one empty look-ahead.
    const all = records(await readAll(await exportCsv(counted, { db }))).slice(1);
    expect(all).toHaveLength(CHANNELS);
    expect(new Set(all.map((r) => r[0])).size).toBe(CHANNELS);
  });

  it("neutralises cells a spreadsheet would run as formulas, and keeps phone numbers readable", async () => {
    const { hubId } = await seed();
    const { db } = ctx.get();
    const rows = records(await readAll(await exportCsv(EXPORT_LISTS.clients({ hub: hubId }), { db })));
    const evil = rows.find((r) => r[4] === "evilCL");
    expect(evil?.[1]).toBe(`'=HYPERLINK("http://evil.test","Click")`);
    expect(evil?.[2]).toBe("'@ops@acme.test");
    expect(evil?.[3]).toBe("+49 151 2345");
    const channelRows = records(await readAll(await exportCsv(EXPORT_LISTS.channels({ hub: hubId, q: "ch30CH" }), { db })));
    expect(channelRows[1]?.[1]).toBe("+4915000000030");
  });

  it("exports the audit log and templates under their pages' filters", async () => {
    const { hubId } = await seed();
    const { db } = ctx.get();
    const audit = records(await readAll(await exportCsv(EXPORT_LISTS.audit({ action: "hub.saved", hub: hubId }), { db }))).slice(1);
    const listed = await listAuditEntries({ db, filter: { action: "hub.saved", hubId }, limit: 100 });
    expect(audit.map((r) => Number(r[0]))).toEqual(listed.rows.map((r) => r.id));
    expect(audit[0]?.[7]).toContain('"note":"-2+3"');
    const templates = records(await readAll(await exportCsv(EXPORT_LISTS.templates({ q: "nothing_like_this" }), { db })));
    expect(templates).toHaveLength(1);
    expect((await listTemplatesPage({ db, filter: { name: "nothing_like_this" }, limit: 10 })).rows).toHaveLength(0);
    const invites = records(await readAll(await exportCsv(EXPORT_LISTS.invites({ hub: hubId }), { db })));
    expect(invites[0]?.[0]).toBe("Invite ID");
  });
});
