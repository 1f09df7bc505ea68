import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys, channels, jobs, webhookEvents, type Hub } from "@/db/schema";
import { createHub, SANDBOX_PARTNER, startTestSandbox, waitFor, type TestSandbox } from "@/test/support/channels";
import { openSecret } from "@/lib/secrets";
import { freshDatabase, selectRows, unavailableReason, type FreshDatabase } from "@/test/db/databases";
import { setTestAppEnv } from "@/test/db/use-as-app-db";
import { inParallel, postDelivery, spawnScript, type ChildScript } from "./support";

// Proof of docs/security.md R5 and R6 across processes: two real portal instances (test/proofs/instance.ts: receiver + in-process
// job runner) on one PostgreSQL; every delivery of 20 onboardings goes to BOTH (some a third time), plus a
// re-sent variant body per channel that docs/security.md R5 cannot catch. No effect may happen twice.

const CHANNELS = 20;
// A job may fail and run again only for a reason outside the code's control; anything else is a defect.
const TRANSIENT = /deadlock detected|could not serialize|statement timeout|ECONNRESET|ECONNREFUSED|socket hang up|upstream:/i;

type Line = Record<string, unknown>;
type SandboxState = { apiKeys: { channelId: string; revokedAt: string | null }[] };

const skip = unavailableReason("postgres");

describe.skipIf(skip)(`two portal instances on one database [postgres]${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let sb: TestSandbox | undefined;
  let fresh: FreshDatabase | undefined;
  let hub: Hub;
  const instances: ChildScript[] = [];
  let urls: string[] = [];

  beforeAll(async () => {
    setTestAppEnv(); // the instances get the same APP_ENCRYPTION_KEY, so they open what this process sealed
    sb = await startTestSandbox();
    // The partner's webhooks come to the test's receiver: the test itself delivers them to the instances.
    await sb.control("/partners", { id: SANDBOX_PARTNER.id, apiKey: SANDBOX_PARTNER.apiKey, platformSecret: SANDBOX_PARTNER.platformSecret, webhookUrl: sb.webhookUrl });
    fresh = await freshDatabase("postgres");
    hub = await createHub(fresh.handle.db, { url: sb.url, partnerId: SANDBOX_PARTNER.id });
    for (let i = 0; i < 2; i++) {
      instances.push(spawnScript("test/proofs/instance.ts", { DATABASE_URL: fresh.url!, JOBS_CONCURRENCY: "4", JOBS_POLL_MS: "200", LOG_LEVEL: "info" }));
    }
    urls = (await Promise.all(instances.map((i) => i.ready))).map((port) => `http://127.0.0.1:${String(port)}`);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await fresh?.dispose();
    await sb?.close();
  });

  it("20 onboardings delivered to both instances: one row per delivery, one key call and one stored key per channel, every job run once", async () => {
    const db = fresh!.handle.db;
    const onboarded = await Promise.all(
      Array.from({ length: CHANNELS }, (_, i) => sb!.control<{ channelIds: string[] }>("/onboard", { partnerId: SANDBOX_PARTNER.id, companyName: `Proof ${i} GmbH` })),
    );
    const externalIds = onboarded.map((o) => o.channelIds[0]!);
    const channelOf = (body: Line) => (body.data as { id?: string } | undefined)?.id;
    await waitFor(() => externalIds.every((id) => sb!.received.some((b) => b.event === "channel_live" && channelOf(b) === id)), "every channel_live", 15_000);

    // docs/security.md R5 catches byte-identical re-sends; a re-sent event with a new id gets past it and must meet docs/security.md R6.
    const variants = externalIds.map((id) => ({ ...sb!.received.find((b) => b.event === "channel_running" && channelOf(b) === id)!, id: randomUUID() }));
    const bodies = [...sb!.received, ...variants].map((b) => JSON.stringify(b));
    const sends: { body: string; instance: number }[] = [];
    bodies.forEach((body, i) => {
      sends.push({ body, instance: 0 }, { body, instance: 1 });
      if (i % 3 === 0) sends.push({ body, instance: i % 2 });
    });
    sends.sort(() => Math.random() - 0.5);
    const statuses: number[] = [];
    await inParallel(sends, 40, async ({ body, instance }) => {
      statuses.push(await postDelivery(urls[instance]!, hub.partnerId, body, SANDBOX_PARTNER.platformSecret));
    });
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    const settled = async () => {
      const [row] = await selectRows<{ open: number; keys: number }>(
        db,
        sql`select (select count(*)::int from jobs where status in ('queued', 'running')) as open,
                   (select count(*)::int from api_keys where status = 'active') as keys`,
      );
      return row?.open === 0 && row.keys >= CHANNELS;
    };
    await waitFor(settled, "every job done and every key stored", 45_000);

    // Inbox (docs/security.md R5): one row per distinct delivery, counting every copy sent.
    const rows = await db.select().from(webhookEvents).where(eq(webhookEvents.hubId, hub.id));
    const sentCount = new Map<string, number>();
    for (const s of sends) {
      const key = `id:${(JSON.parse(s.body) as { id: string }).id}`;
      sentCount.set(key, (sentCount.get(key) ?? 0) + 1);
    }
    expect(rows).toHaveLength(bodies.length);
    expect(rows.filter((r) => r.deliveries !== sentCount.get(r.dedupKey))).toEqual([]);
    expect(rows.filter((r) => r.status !== "done").map((r) => [r.event, r.status, r.lastError])).toEqual([]);

    // Jobs (docs/security.md R8): each ran to "done" exactly once across both instances; a second attempt only after a logged failure.
    const allJobs = await db.select().from(jobs);
    // Each instance logs "job done" after its commit: give the last lines a moment to come through the pipes.
    const doneLineCount = () => instances.reduce((n, i) => n + i.lines.filter((x) => x.msg === "job done").length, 0);
    await waitFor(() => doneLineCount() >= allJobs.length, "a 'job done' line for every finished job", 10_000).catch(() => undefined);
    const lines: Line[][] = instances.map((i) => i.lines);
    const doneBy = (jobId: string) => lines.flatMap((l, n) => l.filter((x) => x.msg === "job done" && x.jobId === jobId).map(() => n));
    const failedRuns = (jobId: string) => lines.flat().filter((x) => x.jobId === jobId && x.msg === "job failed; will retry").length;
    const webhookJobs = allJobs.filter((j) => j.kind === "webhook.process");
    const keyJobs = allJobs.filter((j) => j.kind === "api_key.provision");
    expect(webhookJobs).toHaveLength(bodies.length);
    expect(keyJobs).toHaveLength(CHANNELS);
    expect(allJobs.filter((j) => j.status !== "done").map((j) => [j.kind, j.status, j.lastError])).toEqual([]);
    expect(allJobs.filter((j) => doneBy(j.id).length !== 1).map((j) => [j.kind, doneBy(j.id)])).toEqual([]);
    expect(allJobs.filter((j) => j.attempts !== 1 + failedRuns(j.id)).map((j) => [j.kind, j.attempts, failedRuns(j.id)])).toEqual([]);
    const failures = lines.flat().filter((x) => x.msg === "job failed; will retry" || x.msg === "job is dead");
    expect(failures.filter((x) => !TRANSIENT.test(String(x.error))).map((x) => [x.kind, x.error])).toEqual([]);
    expect(lines.flat().filter((x) => typeof x.msg === "string" && /taken over|not recorded/.test(x.msg))).toEqual([]);
    const perInstance = lines.map((l) => l.filter((x) => x.msg === "job done").length);
    const storedBy = lines.map((l) => l.filter((x) => x.outcome === "stored").length);
    expect(Math.min(...perInstance)).toBeGreaterThan(0);
    expect(Math.min(...storedBy)).toBeGreaterThan(0);

    // Keys (docs/security.md R6): exactly one POST …/api_keys per channel at the hub, one active stored key: the hub's current one.
    const hubState = await sb!.control<SandboxState>("/state");
    const ourChannels = await db.select().from(channels).where(eq(channels.hubId, hub.id));
    const keys = await db.select().from(apiKeys).where(eq(apiKeys.hubId, hub.id));
    expect(ourChannels).toHaveLength(CHANNELS);
    const issued = externalIds.map((id) => hubState.apiKeys.filter((k) => k.channelId === id).length);
    const keyPosts = externalIds.map((id) => sb!.keyPosts(id));
    const wrong = ourChannels.filter((c) => {
      const stored = keys.filter((k) => k.channelId === c.id);
      const active = stored.filter((k) => k.status === "active");
      return stored.length !== 1 || active.length !== 1 || openSecret(active[0]!.keyEnc!, `api_keys|${c.id}|${active[0]!.keyVersion}`) !== sb!.activeKey(c.externalId);
    });
    const retried = allJobs.filter((j) => j.attempts > 1).length;

    console.info(
      `[R5/R6] 2 instances, ${CHANNELS} channels: ${bodies.length} distinct deliveries (${variants.length} variant bodies) sent ${sends.length} times ` +
        `(stored first by instance A ${storedBy[0]}, B ${storedBy[1]}); inbox rows ${rows.length}; webhook.process jobs ${webhookJobs.length}, ` +
        `api_key.provision jobs ${keyJobs.length}; jobs done by A ${perInstance[0]}, B ${perInstance[1]}, re-run after a logged transient failure ${retried}; ` +
        `POST …/api_keys ${keyPosts.reduce((a, b) => a + b, 0)} (hub keys issued ${issued.reduce((a, b) => a + b, 0)}, duplicate key calls ${keyPosts.reduce((a, b) => a + b, 0) - CHANNELS}); ` +
        `stored keys ${keys.length}, channels with a wrong or missing key ${wrong.length}`,
    );
    expect(issued).toEqual(Array(CHANNELS).fill(1));
    expect(keyPosts).toEqual(Array(CHANNELS).fill(1));
    expect(wrong.map((c) => c.externalId)).toEqual([]);
  }, 90_000);
});
