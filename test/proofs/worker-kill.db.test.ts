import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import { findJobById } from "@/db/queries/jobs";
import { apiKeys, type Hub } from "@/db/schema";
import { applyWebhookEvent } from "@/lib/webhooks/apply";
import { createHub, jobsOfKind, SANDBOX_PARTNER, startTestSandbox, storeWebhook, waitFor, type TestSandbox } from "@/test/support/channels";
import { openSecret } from "@/lib/secrets";
import { freshDatabase, unavailableReason, type FreshDatabase } from "@/test/db/databases";
import { setTestAppEnv } from "@/test/db/use-as-app-db";
import { spawnScript, type ChildScript } from "./support";

// Proof of docs/security.md R8 with a real crash: a worker process SIGKILLed after 360dialog issued the key and before the key
// was stored. A second worker takes the job once the lease runs out; exactly one key ends stored, the one
// 360dialog holds now (the first one it issued is revoked by the second call, docs/security.md F6).

type SandboxState = { apiKeys: { id: string; channelId: string; createdAt: string; revokedAt: string | null }[] };

const skip = unavailableReason("postgres");

describe.skipIf(skip)(`worker killed between the key call and the commit [postgres]${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let sb: TestSandbox | undefined;
  let fresh: FreshDatabase | undefined;
  let hub: Hub;
  const workers: ChildScript[] = [];

  beforeAll(async () => {
    setTestAppEnv(); // the workers get the same APP_ENCRYPTION_KEY
    sb = await startTestSandbox();
    await sb.control("/partners", { id: SANDBOX_PARTNER.id, apiKey: SANDBOX_PARTNER.apiKey, platformSecret: SANDBOX_PARTNER.platformSecret, webhookUrl: sb.webhookUrl });
    fresh = await freshDatabase("postgres");
    hub = await createHub(fresh.handle.db, { url: sb.url, partnerId: SANDBOX_PARTNER.id });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await fresh?.dispose();
    await sb?.close();
  });

  const startWorker = (...args: string[]) => {
    const worker = spawnScript("test/proofs/kill-worker.ts", { DATABASE_URL: fresh!.url!, LOG_LEVEL: "info" }, args);
    workers.push(worker);
    return worker;
  };

  it("one key stored, equal to the hub's current key; the job finishes after its lease with attempt 2", async () => {
    const db = fresh!.handle.db;
    const { channelIds } = await sb!.control<{ channelIds: string[] }>("/onboard", { partnerId: SANDBOX_PARTNER.id, companyName: "Kill Test GmbH" });
    const externalId = channelIds[0]!;
    const bodies = await waitFor(() => {
      const of = sb!.received.filter((b) => (b.data as { id?: string } | undefined)?.id === externalId);
      return of.some((b) => b.event === "channel_live") && of;
    }, "channel_live");
    for (const body of bodies) expect((await applyWebhookEvent(await storeWebhook(db, hub.id, body), { db })).status).toBe("done");
    const channel = (await findChannelByExternalId({ db, hubId: hub.id, externalId }))!;
    expect(channel).toMatchObject({ status: "running", permission: "granted" });
    const keyJobs = await jobsOfKind(db, "api_key.provision");
    expect(keyJobs.map((j) => [j.payload.channelId, j.status])).toEqual([[channel.id, "queued"]]);
    const jobId = keyJobs[0]!.id;

    // 1. The worker dies right after the key call.
    const first = startWorker("--kill-after-generate");
    const death = await Promise.race([first.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000))]);
    expect(death, first.stderr().slice(-2_000)).toEqual({ code: null, signal: "SIGKILL" });
    const killedAt = Date.now();
    expect(sb!.keyPosts(externalId)).toBe(1);
    const firstKey = sb!.activeKey(externalId);
    expect(firstKey).toBeTruthy();
    const orphan = (await findJobById({ db, id: jobId }))!;
    expect(orphan).toMatchObject({ status: "running", attempts: 1 });
    const rowsAfterKill = await db.select().from(apiKeys).where(eq(apiKeys.channelId, channel.id));
    expect(rowsAfterKill.map((r) => [r.status, r.keyEnc])).toEqual([["pending", null]]);

    // 2. A normal worker takes the job over once the dead worker's lease has run out.
    const second = startWorker();
    await second.ready;
    const done = await waitFor(async () => {
      const job = await findJobById({ db, id: jobId });
      return job?.status === "done" || job?.status === "dead" ? job : null;
    }, "the job to finish in the second worker", 30_000);
    const finishedAfterMs = Date.now() - killedAt;

    const rows = await db.select().from(apiKeys).where(eq(apiKeys.channelId, channel.id));
    const active = rows.filter((r) => r.status === "active");
    const current = sb!.activeKey(externalId);
    const hubKeys = (await sb!.control<SandboxState>("/state")).apiKeys.filter((k) => k.channelId === externalId);
    const stored = active[0] ? openSecret(active[0].keyEnc!, `api_keys|${channel.id}|${active[0].keyVersion}`) : undefined;
    // The worker logs "job done" after its commit, so the line can reach this process's pipe a moment after the row does.
    const doneOf = () => second.lines.filter((l) => l.msg === "job done" && l.jobId === jobId);
    if (done.status === "done") await waitFor(() => doneOf().length > 0, "the second worker's 'job done' line", 10_000);
    const doneLines = doneOf();

    console.info(
      `[R8] worker SIGKILLed after the key call: job ${done.status} with attempts ${done.attempts} in the second worker ` +
        `${(finishedAfterMs / 1000).toFixed(1)} s after the kill (lease 3 s, lease ended ${orphan.lockedUntil!.toISOString()}, finished ${done.finishedAt?.toISOString()}); ` +
        `POST …/api_keys ${sb!.keyPosts(externalId)}, hub keys ${hubKeys.length} (revoked ${hubKeys.filter((k) => k.revokedAt).length}); ` +
        `stored key rows ${rows.length}, active ${active.length}, equal to the hub's current key ${stored === current}, equal to the first issued ${stored === firstKey}`,
    );
    expect(done).toMatchObject({ status: "done", attempts: 2 });
    expect(done.finishedAt!.getTime()).toBeGreaterThanOrEqual(orphan.lockedUntil!.getTime());
    expect(doneLines).toHaveLength(1);
    expect(rows).toHaveLength(1);
    expect(active).toHaveLength(1);
    expect(stored).toBe(current);
    expect(stored).not.toBe(firstKey);
    expect(sb!.keyPosts(externalId)).toBe(2);
    expect(hubKeys.map((k) => k.revokedAt !== null)).toEqual([true, false]);
  }, 60_000);
});
