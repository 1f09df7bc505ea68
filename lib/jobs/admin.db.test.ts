import { sql } from "drizzle-orm";
import { beforeEach, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import { findJobById } from "@/db/queries/jobs";
import { findUserByEmail, insertUser } from "@/db/queries/users";
import { forEachDatabase, selectRows } from "@/test/db/databases";
import { AppError } from "../errors";
import { jobCounts, listJobs, replayJob } from "./admin";
import { enqueueJob } from "./enqueue";
import { createJobRunner } from "./runner";
import type { JobContext, JobHandlers } from "./types";

// lib/jobs/admin reads the process database through lib/db; point it at this suite's database.
const current = vi.hoisted(() => ({ db: null as Database | null }));
vi.mock("@/lib/db", () => ({
  getDb: async () => {
    if (!current.db) throw new Error("no test database");
    return current.db;
  },
}));

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
let actor = { id: "", email: "ops@example.com" };

forEachDatabase("job administration", (ctx) => {
  beforeEach(async () => {
    const { db } = ctx.get();
    current.db = db;
    await db.execute(sql`delete from jobs`);
    await db.execute(sql`delete from audit_log`);
    const user = (await findUserByEmail({ db, email: actor.email })) ?? (await insertUser({ db, user: { email: actor.email, role: "admin", passwordHash: "x" } }));
    actor = { id: user.id, email: user.email };
  });

  it("replays a dead job to done, with a fresh attempt budget and an audit entry", async () => {
    const { db } = ctx.get();
    let failing = true;
    const seen: JobContext[] = [];
    const handler = async (job: JobContext) => {
      seen.push(job);
      if (failing) throw new Error("hub down");
    };
    const handlers: JobHandlers = { "webhook.process": handler, "api_key.provision": handler, "hub.reconcile": handler, "template.sync": handler, "hub.template_sync": handler, "channel.waba_webhook": handler, "webhook.forward": handler };
    const runner = createJobRunner({ getDb: () => db, handlers, concurrency: 2, pollMs: 60_000, leaseSeconds: 30, log: silent });
    const { id } = await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "r" }, maxAttempts: 1 });
    await runner.runOnce();
    expect(await findJobById({ db, id })).toMatchObject({ status: "dead", attempts: 1, lastError: "hub down" });

    failing = false;
    const replayed = await replayJob(actor, id);
    expect(replayed).toMatchObject({ id, status: "queued", attempts: 0, lockedBy: null, lockedUntil: null, finishedAt: null });
    expect(await runner.runOnce()).toBe(1);
    expect(await findJobById({ db, id })).toMatchObject({ status: "done", attempts: 1 });
    expect(seen.map((j) => j.attempt)).toEqual([1, 1]);

    const audit = await selectRows<{ action: string; actor_label: string; target_type: string; target_id: string; detail: unknown }>(
      db,
      sql`select action, actor_label, target_type, target_id, detail from audit_log`,
    );
    expect(audit).toEqual([{ action: "job.replayed", actor_label: actor.email, target_type: "job", target_id: id, detail: { kind: "webhook.process" } }]);
  });

  it("refuses to replay a job that is not dead, or that does not exist", async () => {
    const { db } = ctx.get();
    const { id } = await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "q" } });
    await expect(replayJob(actor, id)).rejects.toMatchObject({ code: "conflict:job" });
    await expect(replayJob(actor, "00000000-0000-4000-8000-00000000dead")).rejects.toMatchObject({ code: "not_found:job" });
    await expect(replayJob(actor, "not-a-uuid")).rejects.toBeInstanceOf(AppError);
    expect(await findJobById({ db, id })).toMatchObject({ status: "queued" });
    const [row] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log`);
    expect(Number(row?.n)).toBe(0);
  });

  it("lists jobs newest first, filtered and keyset-paged without gaps or repeats", async () => {
    const { db } = ctx.get();
    const ids: string[] = [];
    // One transaction: every row gets the same created_at, so only the id breaks ties.
    await db.transaction(async (tx) => {
      for (let i = 0; i < 12; i++) {
        const kind = i % 3 === 0 ? "hub.reconcile" : "webhook.process";
        const payload = kind === "hub.reconcile" ? { hubId: String(i) } : { webhookEventId: String(i) };
        ids.push((await enqueueJob(tx, { kind, payload } as Parameters<typeof enqueueJob>[1])).id);
      }
    });
    await db.execute(sql`update jobs set status = 'dead' where payload->>'webhookEventId' in ('1', '2')`);

    const paged: string[] = [];
    let after: string | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const page = await listJobs({ limit: 5, after });
      paged.push(...page.rows.map((r) => r.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(paged).toHaveLength(12);
    expect(new Set(paged)).toEqual(new Set(ids));

    expect((await listJobs({ limit: 50, kind: "hub.reconcile" })).rows).toHaveLength(4);
    const dead = (await listJobs({ limit: 50, status: "dead" })).rows.map((r) => r.payload);
    expect(dead).toHaveLength(2);
    expect(dead).toEqual(expect.arrayContaining([{ webhookEventId: "1" }, { webhookEventId: "2" }]));
    expect((await listJobs({ limit: 50, status: "dead", kind: "hub.reconcile" })).rows).toHaveLength(0);
    expect(await jobCounts()).toEqual({ queued: 10, running: 0, done: 0, dead: 2 });
  });

  it("orders pages by creation time", async () => {
    const { db } = ctx.get();
    const first = await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "old" } });
    await new Promise((r) => setTimeout(r, 5));
    const second = await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "new" } });
    const page = await listJobs({ limit: 1 });
    expect(page.rows.map((r) => r.id)).toEqual([second.id]);
    expect((await listJobs({ limit: 1, after: page.next ?? undefined })).rows.map((r) => r.id)).toEqual([first.id]);
  });

  it("refuses a malformed filter", async () => {
    await expect(listJobs({ limit: 0 })).rejects.toMatchObject({ code: "invalid:job_filter" });
    await expect(listJobs({ limit: 10, after: "1; drop table jobs" })).rejects.toMatchObject({ code: "invalid:job_filter" });
    await expect(listJobs({ limit: 10, status: "lost" as never })).rejects.toMatchObject({ code: "invalid:job_filter" });
  });
});
