import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import { countChannelsByCancellation, listChannelsPage } from "@/db/queries/channel-list";
import { apiKeys, channels, type Hub } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { applyWebhookEvent } from "../webhooks/apply";
import { createHub, createUser, setTestEnvironment, storeWebhook } from "@/test/support/channels";
import { resolveRestriction } from "./restriction";
import { listStuckChannels } from "./stuck";
import { enqueueProvisionIfDue } from "./api-keys";
import { applyChannelSnapshot } from "./lifecycle";

setTestEnvironment();

// The end of a number and its troubles, from the contract fixtures (test/fixtures/partner-events, cited in
// docs/channel-lifecycle.md) stored as the receiver stores them and applied as the job does.

const FIXTURES = join(process.cwd(), "test/fixtures/partner-events");
type Body = { id: string; event: string; data: Record<string, unknown> };
/** A fixture for one channel of this test: its own event id, channel id and phone number. */
function fixture(name: string, channelId: string, phone: string): Body {
  const body = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")) as Body;
  const data = { ...body.data };
  if ("id" in data) data.id = channelId;
  if (data.setup_info) data.setup_info = { ...(data.setup_info as object), phone_number: phone };
  if ("phone_number" in data) data.phone_number = phone;
  return { ...body, id: `${body.id}-${randomUUID()}`, data };
}

forEachDatabase("a number's whole life", (ctx) => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await createHub(ctx.get().db);
  });

  async function running(channelId: string, phone: string) {
    const { db } = ctx.get();
    const body = { id: randomUUID(), event: "channel_running", data: { id: channelId, status: "running", modified_at: "2026-11-01T00:00:00Z", setup_info: { phone_number: phone }, current_limit: "tier_1k", current_quality_rating: "green" } };
    await applyWebhookEvent(await storeWebhook(db, hub.id, body), { db });
    const channel = await findChannelByExternalId({ db, hubId: hub.id, externalId: channelId });
    return channel!;
  }
  const apply = async (body: Body) => applyWebhookEvent(await storeWebhook(ctx.get().db, hub.id, body), { db: ctx.get().db });
  const load = async (externalId: string) => (await findChannelByExternalId({ db: ctx.get().db, hubId: hub.id, externalId }))!;

  it("requested → revoked → requested → processed: the cancellation beside the status, keys revoked at the end", async () => {
    const { db } = ctx.get();
    const start = await running("lifeCH", "+4915100000001");
    expect(start).toMatchObject({ status: "running", cancellation: null, qualityRating: "GREEN", messagingLimit: "TIER_1K" });
    // An active key, as provisioning leaves it.
    await db.insert(apiKeys).values({ hubId: hub.id, channelId: start.id, grantId: "initial", status: "active", keyEnc: "x", last4: "abcd" });

    expect(await apply(fixture("cancellation_request", "lifeCH", "4915100000001"))).toMatchObject({ status: "done", effect: "cancellation requested, effective 2026-11-30T23:59:59.000Z" });
    let ch = await load("lifeCH");
    expect(ch).toMatchObject({ cancellation: "requested", status: "running", terminatesAt: new Date("2026-11-30T23:59:59.000Z") });
    expect(await listChannelsPage({ db, filter: { hubId: hub.id, status: "cancellation_requested" }, limit: 10 })).toMatchObject({ rows: [{ externalId: "lifeCH" }] });
    expect(await countChannelsByCancellation({ db, hubId: hub.id })).toEqual({ requested: 1, cancelled: 0 });

    expect(await apply(fixture("cancellation_revoke", "lifeCH", "4915100000001"))).toMatchObject({ effect: "cancellation revoked" });
    ch = await load("lifeCH");
    expect(ch).toMatchObject({ cancellation: null, terminatesAt: null, status: "running" });

    // A request older than the revoke, delivered late, changes nothing.
    expect(await apply(fixture("cancellation_request", "lifeCH", "4915100000001"))).toMatchObject({ effect: expect.stringContaining("history only") });
    expect((await load("lifeCH")).cancellation).toBeNull();

    const again = fixture("cancellation_request", "lifeCH", "4915100000001");
    again.data.modified_at = "2026-11-25T09:00:00.000Z";
    await apply(again);
    expect((await load("lifeCH")).cancellation).toBe("requested");

    const processed = fixture("cancellation_processed", "lifeCH", "4915100000001");
    processed.data.status = "terminated"; // an unknown status string, as the sandbox sends: tolerated, kept raw
    expect(await apply(processed)).toMatchObject({ effect: "channel cancelled, 1 key revoked" });
    ch = await load("lifeCH");
    expect(ch).toMatchObject({ cancellation: "cancelled", status: "terminated", cancelledAt: new Date("2026-12-01T00:05:00.000Z") });
    const [key] = await db.select().from(apiKeys).where(eq(apiKeys.channelId, ch.id));
    expect(key).toMatchObject({ status: "revoked", revokedReason: "channel_cancelled" });
    expect(ch.hasActiveKey).toBe(false);
    expect(await enqueueProvisionIfDue(db, hub, ch)).toBeNull();

    // Cancelled is final: a late revoke is history; and a cancelled number is never "needing attention".
    expect(await apply(fixture("cancellation_revoke", "lifeCH", "4915100000001"))).toMatchObject({ effect: expect.stringContaining("history only") });
    expect((await load("lifeCH")).cancellation).toBe("cancelled");
    const stuck = await listStuckChannels({ hubId: hub.id, limit: 500, now: new Date("2027-01-01T00:00:00Z") }, { db });
    expect(stuck.filter((s) => s.channelId === ch.id)).toEqual([]);
    expect(await listChannelsPage({ db, filter: { hubId: hub.id, status: "cancelled" }, limit: 10 })).toMatchObject({ rows: [{ externalId: "lifeCH" }] });
    expect(await countChannelsByCancellation({ db, hubId: hub.id })).toEqual({ requested: 0, cancelled: 1 });
  });

  it("a revoke brings back the status from before the request when the request sent an unknown one", async () => {
    await running("backCH", "+4915100000002");
    const req = fixture("cancellation_request", "backCH", "4915100000002");
    req.data.status = "pending_deletion";
    await apply(req);
    expect(await load("backCH")).toMatchObject({ status: "pending_deletion", cancellation: "requested" });
    const rev = fixture("cancellation_revoke", "backCH", "4915100000002");
    delete rev.data.status;
    await apply(rev);
    expect(await load("backCH")).toMatchObject({ status: "running", cancellation: null });
  });

  it("reconciliation catches a lost request (terminated_at listed) and a lost revoke (listed without it), never a processing", async () => {
    const { db } = ctx.get();
    await running("reconCH", "+4915100000006");
    const listed = (terminated_at: string | null, at: string) =>
      db.transaction((tx) =>
        applyChannelSnapshot(tx, hub, { externalId: "reconCH", status: "running", raw: { id: "reconCH", status: "running", terminated_at } }, { event: "reconciled", occurredAt: new Date(at), source: "reconcile", history: "if_changed" }),
      );
    expect((await listed("2026-11-30T23:59:59Z", "2026-11-10T00:00:00Z")).changed).toBe(true);
    expect(await load("reconCH")).toMatchObject({ cancellation: "requested", terminatesAt: new Date("2026-11-30T23:59:59Z") });
    // The same listing again changes nothing; an older listing without it does not revoke.
    expect((await listed("2026-11-30T23:59:59Z", "2026-11-10T00:00:00Z")).changed).toBe(false);
    await listed(null, "2026-11-09T00:00:00Z");
    expect((await load("reconCH")).cancellation).toBe("requested");
    await listed(null, "2026-11-12T00:00:00Z");
    expect(await load("reconCH")).toMatchObject({ cancellation: null, terminatesAt: null });
    // A date in the past is still only a request: processing comes from cancellation_processed alone.
    await listed("2026-11-13T00:00:00Z", "2026-11-14T00:00:00Z");
    expect((await load("reconCH")).cancellation).toBe("requested");
  });

  it("violations and restrictions: the type kept, counted as needing attention with a next step, until resolved", async () => {
    const { db } = ctx.get();
    const ch = await running("violCH", "+4915100000003");
    expect(await apply(fixture("account_violation", "violCH", "4915100000003"))).toMatchObject({ status: "done" });
    expect(await apply(fixture("account_restriction-meta-shape", "violCH", "+49 151 00000003"))).toMatchObject({ status: "done" });
    const flagged = await load("violCH");
    expect(flagged.restricted).toBe(true);
    expect(flagged.flags).toMatchObject({
      account_violation: { type: "SCAM" },
      account_restriction: { restrictionType: "RESTRICTED_BIZ_INITIATED_MESSAGING", expiresAt: "2026-12-08T07:09:27.000Z" },
    });
    const stuck = (await listStuckChannels({ hubId: hub.id, limit: 500 }, { db })).filter((s) => s.channelId === ch.id);
    expect(stuck).toHaveLength(1);
    expect(stuck[0]).toMatchObject({ rule: "restricted", action: "resolve_restriction" });
    expect(stuck[0]!.explanation).toMatch(/may not start conversations/);
    expect(stuck[0]!.nextStep).toMatch(/WhatsApp Manager/);

    const operator = await createUser(db, "operator");
    await resolveRestriction({ id: operator.id, email: operator.email }, ch.id, { db });
    expect((await load("violCH")).restricted).toBe(false);
    expect((await listStuckChannels({ hubId: hub.id, limit: 500 }, { db })).filter((s) => s.channelId === ch.id)).toEqual([]);
    await expect(resolveRestriction({ id: operator.id, email: operator.email }, ch.id, { db })).rejects.toMatchObject({ code: "conflict:channel_not_restricted" });
  });

  it("a status the portal does not know (error) needs attention at once; a known one again clears it", async () => {
    const { db } = ctx.get();
    const ch = await running("errCH", "+4915100000004");
    // As reconciliation sees it in the Partner API's channel list (no documented event carries `error`).
    const snapshot = (status: string, at: string) =>
      db.transaction((tx) => applyChannelSnapshot(tx, hub, { externalId: "errCH", status, raw: { id: "errCH", status } }, { event: "reconciled", occurredAt: new Date(at), source: "reconcile", history: "if_changed" }));
    await snapshot("error", "2026-11-02T00:00:00Z");
    expect(await load("errCH")).toMatchObject({ status: "error", statusRank: 50 });
    const stuck = (await listStuckChannels({ hubId: hub.id, limit: 500 }, { db })).filter((s) => s.channelId === ch.id);
    expect(stuck.map((s) => s.rule)).toEqual(["unknown_status"]);
    expect(stuck[0]!.explanation).toMatch(/"error"/);
    await snapshot("running", "2026-11-03T00:00:00Z");
    expect((await listStuckChannels({ hubId: hub.id, limit: 500 }, { db })).filter((s) => s.channelId === ch.id)).toEqual([]);
  });

  it("filters the list by quality rating and messaging limit, case-insensitively, in keyset pages", async () => {
    const { db } = ctx.get();
    await running("qualCH1", "+4915100000005");
    await db.update(channels).set({ qualityRating: "RED", messagingLimit: "TIER_250" }).where(eq(channels.externalId, "qualCH1"));
    const red = await listChannelsPage({ db, filter: { hubId: hub.id, quality: "red" }, limit: 10 });
    expect(red.rows.map((r) => r.externalId)).toEqual(["qualCH1"]);
    const tier = await listChannelsPage({ db, filter: { hubId: hub.id, limit: "TIER_250" }, limit: 10 });
    expect(tier.rows.map((r) => r.externalId)).toEqual(["qualCH1"]);
    const green = await listChannelsPage({ db, filter: { hubId: hub.id, quality: "GREEN" }, limit: 1 });
    expect(green.rows).toHaveLength(1);
    expect(green.next).not.toBeNull();
  });
});
