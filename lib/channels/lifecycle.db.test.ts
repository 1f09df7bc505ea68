import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { beforeAll, expect, it } from "vitest";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import { findClientByExternalId } from "@/db/queries/client-store";
import { getWebhookEvent } from "@/db/queries/webhook-events";
import { channelEvents, type Hub } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { applyWebhookEvent } from "../webhooks/apply";
import { createHub, jobsOfKind, storeWebhook, setTestEnvironment } from "@/test/support/channels";

setTestEnvironment();

const base = Date.UTC(2026, 0, 1, 12, 0);
const iso = (minute: number) => new Date(base + minute * 60_000).toISOString();

// The lifecycle in hub order, each at its own minute; `data.status` as the sandbox sends it (channel_live
// carries "running"). The unknown status sits between two steps, at minute 10·slot + 5.
const STEPS = [
  { event: "channel_created", status: "created", expect: "created", rank: 10 },
  { event: "channel_submitted", status: "unverified", expect: "unverified", rank: 20 },
  { event: "channel_ready", status: "ready", expect: "ready", rank: 40 },
  { event: "channel_running", status: "running", expect: "running", rank: 50 },
  { event: "channel_live", status: "running", expect: "running", rank: 60 },
] as const;
const UNKNOWN_STATUS = "pending_review_x";

type Pick = { kind: "step"; index: number } | { kind: "unknown" };

function bodyOf(channelId: string, pick: Pick, unknownSlot: number): Record<string, unknown> {
  const minute = pick.kind === "step" ? (pick.index + 1) * 10 : unknownSlot * 10 + 5;
  const step = pick.kind === "step" ? STEPS[pick.index]! : undefined;
  return {
    id: randomUUID(),
    event: step?.event ?? "channel_updated",
    data: {
      id: channelId,
      client_id: "propCL",
      status: step?.status ?? UNKNOWN_STATUS,
      account_mode: "live",
      created_at: iso(10),
      modified_at: iso(minute),
      setup_info: { phone_number: "+4915100000000", phone_name: "Prop" },
    },
  };
}

/** docs/security.md R7's reference: the event with the newest time decides the status; the rank is the highest known one. */
function expected(picks: Pick[], unknownSlot: number): { status: string; rank: number } {
  const minuteOf = (p: Pick) => (p.kind === "step" ? (p.index + 1) * 10 : unknownSlot * 10 + 5);
  const newest = picks.reduce((a, b) => (minuteOf(b) > minuteOf(a) ? b : a));
  const ranks = picks.flatMap((p) => (p.kind === "step" ? [STEPS[p.index]!.rank] : []));
  return { status: newest.kind === "step" ? STEPS[newest.index]!.expect : UNKNOWN_STATUS, rank: ranks.length ? Math.max(...ranks) : 0 };
}

const pickArb: fc.Arbitrary<Pick> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: STEPS.length - 1 }).map((index): Pick => ({ kind: "step", index })) },
  { weight: 1, arbitrary: fc.constant<Pick>({ kind: "unknown" }) },
);

forEachDatabase("channel lifecycle from webhooks", (ctx) => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await createHub(ctx.get().db);
  });

  it("ends on the newest event's status and never moves backward, whatever the order and duplicates (R7)", async () => {
    const { db, driver } = ctx.get();
    const numRuns = driver === "pglite" ? 650 : 350;
    let run = 0;
    let wrong = 0;
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(fc.array(pickArb, { minLength: 1, maxLength: 7 }), fc.integer({ min: 0, max: STEPS.length }), async (picks, unknownSlot) => {
        const channelId = `prop${driver}${run++}CH`;
        const ids: string[] = [];
        for (const pick of picks) ids.push(await storeWebhook(db, hub.id, bodyOf(channelId, pick, unknownSlot)));
        let lastRank = -1;
        for (const id of ids) {
          await applyWebhookEvent(id, { db });
          const now = await findChannelByExternalId({ db, hubId: hub.id, externalId: channelId });
          if (!now || now.statusRank < lastRank) {
            wrong++;
            return false;
          }
          lastRank = now.statusRank;
        }
        const final = await findChannelByExternalId({ db, hubId: hub.id, externalId: channelId });
        const want = expected(picks, unknownSlot);
        const ok = final?.status === want.status && final.statusRank === want.rank;
        if (!ok) wrong++;
        return ok;
      }),
      { numRuns },
    );
    console.info(`[R7] ${driver}: ${run} orderings applied, ${wrong} wrong final states, ${Math.round(performance.now() - started)} ms`);
  }, 300_000);

  it("links client and channel, records history, marks the inbox row done", async () => {
    const { db } = ctx.get();
    const clientEvent = await storeWebhook(db, hub.id, {
      id: randomUUID(),
      event: "client_created",
      data: { client: { id: "linkCL", name: "Link GmbH", partner_payload: "crm-42", contact_info: { email: "ana@link.test" }, created_at: iso(1) } },
    });
    expect(await applyWebhookEvent(clientEvent, { db })).toMatchObject({ status: "done" });
    const running = await storeWebhook(db, hub.id, {
      id: randomUUID(),
      event: "channel_running",
      data: { id: "linkCH", client_id: "linkCL", client: { id: "linkCL", name: "Link GmbH" }, status: "running", modified_at: iso(5), setup_info: { phone_number: "+4915111111111", phone_name: "Link" }, waba_account: { id: "wabaWA" }, account_mode: "live" },
    });
    await applyWebhookEvent(running, { db });
    const client = await findClientByExternalId({ db, hubId: hub.id, externalId: "linkCL" });
    const channel = await findChannelByExternalId({ db, hubId: hub.id, externalId: "linkCH" });
    expect(client).toMatchObject({ name: "Link GmbH", email: "ana@link.test", partnerPayload: "crm-42" });
    expect(client?.hubCreatedAt?.toISOString()).toBe(iso(1));
    expect(channel).toMatchObject({ clientId: client?.id, status: "running", statusRank: 50, phoneNumber: "+4915111111111", displayName: "Link", wabaId: "wabaWA", accountMode: "live", permission: "granted" });
    expect(channel?.lastEventAt?.toISOString()).toBe(iso(5));
    const history = await db.select().from(channelEvents).where(eq(channelEvents.channelId, channel!.id));
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ event: "channel_running", status: "running", source: "webhook", webhookEventId: running });
    expect(await getWebhookEvent({ db, id: running })).toMatchObject({ status: "done", attempts: 1 });
    // Partner payment and running: one key job, whatever the number of deliveries.
    const again = await storeWebhook(db, hub.id, { id: randomUUID(), event: "channel_live", data: { id: "linkCH", status: "running", modified_at: iso(6) } });
    await applyWebhookEvent(again, { db });
    const keyJobs = (await jobsOfKind(db, "api_key.provision")).filter((j) => j.payload.channelId === channel!.id);
    expect(keyJobs.map((j) => j.uniqueKey)).toEqual([`api_key:${channel!.id}:initial`]);
    // Re-running a processed event changes nothing (a job re-run after a crash past the commit).
    expect(await applyWebhookEvent(again, { db })).toMatchObject({ status: "skipped" });
    expect(await db.select().from(channelEvents).where(eq(channelEvents.channelId, channel!.id))).toHaveLength(2);
  });

  it("direct payment: no key job until the permission event, then one for that grant", async () => {
    const { db } = ctx.get();
    const direct = await createHub(db, { paymentMode: "direct" });
    const running = await storeWebhook(db, direct.id, { id: randomUUID(), event: "channel_running", data: { id: "dirCH", status: "running", modified_at: iso(5) } });
    await applyWebhookEvent(running, { db });
    let channel = await findChannelByExternalId({ db, hubId: direct.id, externalId: "dirCH" });
    expect(channel).toMatchObject({ permission: "unknown", status: "running" });
    expect((await jobsOfKind(db, "api_key.provision")).filter((j) => j.payload.channelId === channel!.id)).toHaveLength(0);
    for (let i = 0; i < 2; i++) {
      const granted = await storeWebhook(db, direct.id, { id: randomUUID(), event: "channel_permission_granted", data: { id: "dirCH", status: "running", modified_at: iso(7) } });
      await applyWebhookEvent(granted, { db });
    }
    channel = await findChannelByExternalId({ db, hubId: direct.id, externalId: "dirCH" });
    expect(channel?.permission).toBe("granted");
    expect(channel?.permissionChangedAt?.toISOString()).toBe(iso(7));
    const keyJobs = (await jobsOfKind(db, "api_key.provision")).filter((j) => j.payload.channelId === channel!.id);
    expect(keyJobs.map((j) => j.payload.grantId)).toEqual([`perm:${iso(7)}`]);
  });
});
