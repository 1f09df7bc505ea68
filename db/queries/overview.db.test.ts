import { expect, it } from "vitest";
import { AWAITING_REVIEW, REJECTED } from "@/lib/dashboard/overview";
import { forEachDatabase } from "@/test/db/databases";
import type { Executor } from "../client";
import { channels, hubs, templates, webhookEvents } from "../schema";
import { listRecentlyRejectedTemplates, listRecentWebhookFailures, listTemplatesAwaitingReview } from "./overview";

const NOW = new Date("2026-06-10T12:00:00Z");
const ago = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);

async function hubWithChannel(db: Executor, name: string) {
  const [hub] = await db
    .insert(hubs)
    .values({ name, partnerId: `${name}${Math.random().toString(36).slice(2, 8)}`, partnerApiBaseUrl: "http://127.0.0.1:1", ioBaseUrl: "http://127.0.0.1:1" })
    .returning();
  const [channel] = await db.insert(channels).values({ hubId: hub!.id, externalId: `${name}CH`, phoneNumber: `+4915100${name.length}`, status: "running", statusRank: 50 }).returning();
  return { hubId: hub!.id, channelId: channel!.id };
}

forEachDatabase("overview cards", (ctx) => {
  it("lists the newest failed and dead deliveries of the chosen hubs, nothing else", async () => {
    const { db } = ctx.get();
    const a = await hubWithChannel(db, "wa");
    const b = await hubWithChannel(db, "wb");
    const rows: [string, string, "pending" | "processing" | "done" | "failed" | "dead" | "ignored", number][] = [
      ["a1", a.hubId, "failed", 1],
      ["a2", a.hubId, "dead", 2],
      ["a3", a.hubId, "done", 0.5],
      ["a4", a.hubId, "ignored", 0.6],
      ["a5", a.hubId, "failed", 5],
      ["a6", a.hubId, "dead", 3],
      ["a7", a.hubId, "failed", 4],
      ["a8", a.hubId, "dead", 6],
      ["a9", a.hubId, "pending", 0.1],
      ["b1", b.hubId, "dead", 0.2],
    ];
    await db.insert(webhookEvents).values(
      rows.map(([key, hubId, status, hours]) => ({ hubId, dedupKey: key, event: `ev_${key}`, rawBody: "{}", signatureResult: "valid" as const, status, lastError: status === "failed" || status === "dead" ? `error ${key}` : null, receivedAt: ago(hours) })),
    );
    const onlyA = await listRecentWebhookFailures({ db, hubIds: [a.hubId], limit: 5 });
    expect(onlyA.map((r) => r.event)).toEqual(["ev_a1", "ev_a2", "ev_a6", "ev_a7", "ev_a5"]);
    expect(onlyA[0]).toMatchObject({ status: "failed", lastError: "error a1", hubId: a.hubId });
    expect(onlyA[0]!.receivedAt).toBeInstanceOf(Date);
    const both = await listRecentWebhookFailures({ db, hubIds: [a.hubId, b.hubId], limit: 3 });
    expect(both.map((r) => r.event)).toEqual(["ev_b1", "ev_a1", "ev_a2"]);
    expect(await listRecentWebhookFailures({ db, hubIds: [], limit: 5 })).toEqual([]);
  });

  it("lists templates in review longest waiting first, and rejections of the last 7 days newest first, in either case", async () => {
    const { db } = ctx.get();
    const a = await hubWithChannel(db, "ta");
    const b = await hubWithChannel(db, "tb");
    const t = (hub: typeof a, name: string, status: string, extra: Partial<typeof templates.$inferInsert> = {}) => ({
      hubId: hub.hubId,
      channelId: hub.channelId,
      name,
      language: "en",
      category: "UTILITY",
      status,
      ...extra,
    });
    await db.insert(templates).values([
      t(a, "sub_old", "submitted", { submittedAt: ago(50), updatedAt: ago(1) }),
      t(a, "pend_upper", "PENDING", { submittedAt: ago(30) }),
      t(a, "appeal", "in_appeal", { submittedAt: ago(70) }),
      t(a, "synced", "pending", { submittedAt: null, createdAt: ago(40) }),
      t(a, "sub_new", "submitted", { submittedAt: ago(2) }),
      t(a, "sub_newest", "submitted", { submittedAt: ago(1) }),
      t(a, "approved", "approved", { submittedAt: ago(100) }),
      t(a, "draft", "draft", { createdAt: ago(200) }),
      t(b, "other_hub", "submitted", { submittedAt: ago(300) }),
      t(a, "rej_1d", "rejected", { rejectedReason: "INVALID_FORMAT", updatedAt: ago(24) }),
      t(a, "rej_3d", "REJECTED", { rejectedReason: "SCAM", updatedAt: ago(72) }),
      t(a, "rej_10d", "rejected", { updatedAt: ago(240) }),
      t(b, "rej_other", "rejected", { updatedAt: ago(2) }),
    ]);
    const waiting = await listTemplatesAwaitingReview({ db, hubIds: [a.hubId], statuses: AWAITING_REVIEW, limit: 5 });
    expect(waiting.map((r) => r.name)).toEqual(["appeal", "sub_old", "synced", "pend_upper", "sub_new"]);
    expect(waiting[2]!.since.getTime()).toBe(ago(40).getTime());
    expect(waiting[0]).toMatchObject({ channelId: a.channelId, channelExternalId: "taCH", language: "en" });

    const rejected = await listRecentlyRejectedTemplates({ db, hubIds: [a.hubId], statuses: REJECTED, since: ago(7 * 24), limit: 5 });
    expect(rejected.map((r) => [r.name, r.rejectedReason])).toEqual([
      ["rej_1d", "INVALID_FORMAT"],
      ["rej_3d", "SCAM"],
    ]);
    expect(rejected[0]!.since.getTime()).toBe(ago(24).getTime());
    const allHubs = await listRecentlyRejectedTemplates({ db, hubIds: [a.hubId, b.hubId], statuses: REJECTED, since: ago(7 * 24), limit: 2 });
    expect(allHubs.map((r) => r.name)).toEqual(["rej_other", "rej_1d"]);
  });
});
