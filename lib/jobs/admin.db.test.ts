import { sql } from "drizzle-orm";
import { sameHandlerForEveryKind } from "@/test/support/jobs";
import { beforeEach, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import { findJobById } from "@/db/queries/jobs";
import { findUserByEmail, insertUser } from "@/db/queries/users";
import { forEachDatabase, selectRows } from "@/test/db/databases";
import { AppError } from "../errors";
import { replayJob } from "./admin";
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
    const handlers: JobHandlers = sameHandlerForEveryKind(handler);
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
});
