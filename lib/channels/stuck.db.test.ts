import { randomUUID } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { apiKeys, channels, clients, jobs, webhookEvents, type Hub } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { countStuckChannels, decodeStuckCursor, encodeStuckCursor, listStuckChannels, STUCK_DEFAULTS, STUCK_RULES, stuckThresholds, type StuckChannel } from "./stuck";
import { createHub, setTestEnvironment } from "@/test/support/channels";

setTestEnvironment();

const NOW = new Date("2026-05-01T12:00:00Z");
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const hoursAgo = (h: number) => minutesAgo(h * 60);

type Row = {
  name: string;
  hub: "partner" | "direct";
  status: string;
  rank: number;
  created: Date;
  changed?: Date;
  permission?: "granted" | "revoked" | "unknown";
  key?: "active" | "pending" | "revoked";
  deadKeyJob?: "unfulfilled" | "fulfilled";
  deadWebhookJob?: "failed" | "done";
  expect: StuckChannel["rule"][];
};

// Defaults: not running after 48 h, no key 15 min after running, no permission 24 h (direct); the direct hub
// here overrides the key rule to 60 min through hubs.settings.stuck.
const TABLE: Row[] = [
  { name: "created 49 h ago", hub: "partner", status: "created", rank: 10, created: hoursAgo(49), expect: ["not_running"] },
  { name: "ready 47 h ago", hub: "partner", status: "ready", rank: 40, created: hoursAgo(47), expect: [] },
  { name: "unverified 3 days ago", hub: "partner", status: "unverified", rank: 20, created: hoursAgo(72), expect: ["not_running"] },
  { name: "running 16 min, no key", hub: "partner", status: "running", rank: 50, created: hoursAgo(2), changed: minutesAgo(16), permission: "granted", expect: ["no_api_key"] },
  { name: "running 14 min, no key", hub: "partner", status: "running", rank: 50, created: hoursAgo(2), changed: minutesAgo(14), permission: "granted", expect: [] },
  { name: "live 3 h with a key", hub: "partner", status: "live", rank: 60, created: hoursAgo(5), changed: hoursAgo(3), permission: "granted", key: "active", expect: [] },
  { name: "running 1 h, key pending", hub: "partner", status: "running", rank: 50, created: hoursAgo(5), changed: hoursAgo(1), permission: "granted", key: "pending", expect: ["no_api_key"] },
  { name: "running, key revoked only", hub: "partner", status: "running", rank: 50, created: hoursAgo(5), changed: hoursAgo(1), permission: "granted", key: "revoked", expect: ["no_api_key"] },
  { name: "direct, no permission 25 h", hub: "direct", status: "running", rank: 50, created: hoursAgo(25), changed: hoursAgo(24), permission: "unknown", expect: ["no_permission"] },
  { name: "direct, permission withdrawn", hub: "direct", status: "running", rank: 50, created: hoursAgo(30), changed: hoursAgo(29), permission: "revoked", expect: ["no_permission"] },
  { name: "direct, no permission 23 h", hub: "direct", status: "ready", rank: 40, created: hoursAgo(23), permission: "unknown", expect: [] },
  { name: "direct, running 30 min no key (60 min rule)", hub: "direct", status: "running", rank: 50, created: hoursAgo(2), changed: minutesAgo(30), permission: "granted", expect: [] },
  { name: "direct, running 61 min no key", hub: "direct", status: "running", rank: 50, created: hoursAgo(2), changed: minutesAgo(61), permission: "granted", expect: ["no_api_key"] },
  { name: "dead key job, grant still open", hub: "partner", status: "running", rank: 50, created: hoursAgo(3), changed: minutesAgo(5), permission: "granted", deadKeyJob: "unfulfilled", expect: ["dead_job"] },
  { name: "dead key job, key made since", hub: "partner", status: "running", rank: 50, created: hoursAgo(3), changed: hoursAgo(2), permission: "granted", key: "active", deadKeyJob: "fulfilled", expect: [] },
  { name: "dead webhook job, event failed", hub: "partner", status: "ready", rank: 40, created: hoursAgo(1), deadWebhookJob: "failed", expect: ["dead_job"] },
  { name: "dead webhook job, replayed since", hub: "partner", status: "ready", rank: 40, created: hoursAgo(1), deadWebhookJob: "done", expect: [] },
];

async function seed(db: Database, hub: Hub, row: Row): Promise<string> {
  const [client] = await db.insert(clients).values({ hubId: hub.id, externalId: `${randomUUID().slice(0, 8)}CL`, name: `Client of ${row.name}` }).returning();
  const [channel] = await db
    .insert(channels)
    .values({
      hubId: hub.id,
      clientId: client!.id,
      externalId: `${randomUUID().slice(0, 8)}CH`,
      phoneNumber: "+4915100000001",
      status: row.status,
      statusRank: row.rank,
      statusChangedAt: row.changed ?? row.created,
      permission: row.permission ?? (hub.paymentMode === "partner" ? "granted" : "unknown"),
      permissionChangedAt: row.permission === "granted" || hub.paymentMode === "partner" ? row.created : null,
      createdAt: row.created,
    })
    .returning();
  const channelId = channel!.id;
  if (row.key) await db.insert(apiKeys).values({ hubId: hub.id, channelId, grantId: "initial", status: row.key });
  if (row.deadKeyJob) {
    await db.insert(jobs).values({
      kind: "api_key.provision",
      payload: { channelId, grantId: "initial" },
      uniqueKey: `api_key:${channelId}:initial`,
      status: "dead",
      attempts: 8,
      finishedAt: minutesAgo(4),
      lastError: "The hub answered 503.",
    });
  }
  if (row.deadWebhookJob) {
    const [event] = await db
      .insert(webhookEvents)
      .values({ hubId: hub.id, dedupKey: randomUUID(), event: "channel_ready", rawBody: "{}", signatureResult: "valid", status: row.deadWebhookJob, channelExternalId: channel!.externalId })
      .returning();
    await db.insert(jobs).values({ kind: "webhook.process", payload: { webhookEventId: event!.id }, status: "dead", attempts: 8, finishedAt: minutesAgo(10) });
  }
  return channelId;
}

forEachDatabase("stuck numbers", (ctx) => {
  const ids = new Map<string, string>();
  let partner: Hub;
  let direct: Hub;
  beforeAll(async () => {
    const { db } = ctx.get();
    partner = await createHub(db);
    direct = await createHub(db, { paymentMode: "direct", settings: { stuck: { noKeyMinutes: 60 } } });
    for (const row of TABLE) ids.set(row.name, await seed(db, row.hub === "partner" ? partner : direct, row));
  });

  it.each(TABLE.map((row) => [row.name, row] as const))("%s", async (_name, row) => {
    const { db } = ctx.get();
    const stuck = await listStuckChannels({ limit: 500, now: NOW }, { db });
    const mine = stuck.filter((s) => s.channelId === ids.get(row.name));
    expect(mine.map((s) => s.rule).sort()).toEqual([...row.expect].sort());
    for (const s of mine) {
      expect(s.explanation.length).toBeGreaterThan(20);
      expect(s.nextStep.length).toBeGreaterThan(20);
      expect(s.clientName).toBe(`Client of ${row.name}`);
      expect(s.action).toBe(
        ({ not_running: null, no_api_key: "retry_key", no_permission: "resend_permission_invite", dead_job: "replay_job", restricted: "resolve_restriction", unknown_status: null, key_failing: "retry_key" } as const)[s.rule],
      );
      expect(s.jobId === null).toBe(s.rule !== "dead_job");
    }
  });

  it("filters by hub, sorts oldest first and honours the limit", async () => {
    const { db } = ctx.get();
    const all = await listStuckChannels({ limit: 500, now: NOW }, { db });
    const onlyDirect = await listStuckChannels({ hubId: direct.id, limit: 500, now: NOW }, { db });
    expect(onlyDirect.length).toBeGreaterThan(0);
    expect(onlyDirect.every((s) => s.hubId === direct.id)).toBe(true);
    expect(all.map((s) => s.since.getTime())).toEqual([...all.map((s) => s.since.getTime())].sort((a, b) => a - b));
    const two = await listStuckChannels({ limit: 2, now: NOW }, { db });
    expect(two).toEqual(all.slice(0, 2));
  });

  it("pages with a cursor, each entry once and in order, and counts every page together (the list's true count)", async () => {
    const { db } = ctx.get();
    const all = await listStuckChannels({ limit: 500, now: NOW }, { db });
    expect(all.length).toBeGreaterThan(6);
    const seen: StuckChannel[] = [];
    let after: string | undefined;
    for (let page = 0; page < 20; page++) {
      const rows = await listStuckChannels({ limit: 3, now: NOW, after: decodeStuckCursor(after) }, { db });
      seen.push(...rows);
      if (rows.length < 3) break;
      after = encodeStuckCursor(rows.at(-1)!);
    }
    expect(seen.map((s) => [s.channelId, s.rule])).toEqual(all.map((s) => [s.channelId, s.rule]));
    expect((await countStuckChannels({ now: NOW }, { db })).total).toBe(all.length);
    const ofDirect = await countStuckChannels({ hubId: direct.id, now: NOW }, { db });
    expect(ofDirect.total).toBe(all.filter((s) => s.hubId === direct.id).length);
    expect(ofDirect.byRule.no_permission).toBe(2);
    // A cursor that is not one starts from the first page.
    expect(decodeStuckCursor("not-a-cursor")).toBeUndefined();
  });

  it("filters by rule (the Needs attention page): exactly the unfiltered list's entries of that rule, counted by byRule, and pages alike", async () => {
    const { db } = ctx.get();
    const all = await listStuckChannels({ limit: 500, now: NOW }, { db });
    const { byRule } = await countStuckChannels({ now: NOW }, { db });
    let rulesSeen = 0;
    for (const rule of STUCK_RULES) {
      const only = await listStuckChannels({ limit: 500, now: NOW, rules: [rule] }, { db });
      expect(only).toEqual(all.filter((s) => s.rule === rule));
      expect(only.length).toBe(byRule[rule]);
      if (only.length > 0) rulesSeen++;
    }
    // The table holds entries of four rules, so the comparison above compares something.
    expect(rulesSeen).toBe(4);
    // Two rules, paged by one: the same entries in the same order.
    const two = all.filter((s) => s.rule === "no_api_key" || s.rule === "dead_job");
    const paged: StuckChannel[] = [];
    let after: string | undefined;
    for (let page = 0; page < 20; page++) {
      const rows = await listStuckChannels({ limit: 1, now: NOW, rules: ["no_api_key", "dead_job"], after: decodeStuckCursor(after) }, { db });
      paged.push(...rows);
      if (rows.length < 1) break;
      after = encodeStuckCursor(rows.at(-1)!);
    }
    expect(paged).toEqual(two);
  });

  it("reads thresholds from hub settings with defaults for anything missing or malformed", () => {
    expect(stuckThresholds({})).toEqual(STUCK_DEFAULTS);
    expect(stuckThresholds({ stuck: { noKeyMinutes: 60 } })).toEqual({ ...STUCK_DEFAULTS, noKeyMinutes: 60 });
    expect(stuckThresholds({ stuck: { notRunningHours: -1, noPermissionHours: "x" } })).toEqual(STUCK_DEFAULTS);
    expect(stuckThresholds({ stuck: "nonsense" })).toEqual(STUCK_DEFAULTS);
  });
});
