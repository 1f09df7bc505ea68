import { describe, expect, it } from "vitest";
import { openDatabase } from "@/db/client";
import { forEachDatabase, freshDatabase, unavailableReason } from "@/test/db/databases";
import { insertAuditEntry, listAuditEntries } from "./audit";
import { clearAttempts, registerAttempt } from "./throttle";
import { countActiveAdmins, findUserByEmail, insertUser, updateUser } from "./users";

forEachDatabase("login throttle and users", (ctx) => {
  it("counts attempts per key and forgets them on clear", async () => {
    const { db } = ctx.get();
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push((await registerAttempt({ db, key: "email:a@example.com", windowSeconds: 900 })).attempts);
    expect(seen).toEqual([1, 2, 3]);
    const other = await registerAttempt({ db, key: "email:b@example.com", windowSeconds: 900 });
    expect(other.attempts).toBe(1);
    await clearAttempts({ db, key: "email:a@example.com" });
    expect((await registerAttempt({ db, key: "email:a@example.com", windowSeconds: 900 })).attempts).toBe(1);
  });

  it("tells how long until the window ends, and starts a new window after it", async () => {
    const { db } = ctx.get();
    const first = await registerAttempt({ db, key: "ip:192.0.2.1", windowSeconds: 900 });
    expect(first.retryAfterSeconds).toBeGreaterThan(890);
    expect(first.retryAfterSeconds).toBeLessThanOrEqual(900);
    await registerAttempt({ db, key: "ip:192.0.2.2", windowSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await registerAttempt({ db, key: "ip:192.0.2.2", windowSeconds: 1 })).attempts).toBe(1);
  });

  it("bumps the session version and keeps the last admin count right", async () => {
    const { db } = ctx.get();
    const user = await insertUser({ db, user: { email: "ops@example.com", role: "admin", passwordHash: "x" } });
    expect(await countActiveAdmins({ db })).toBe(1);
    const updated = await updateUser({ db, id: user.id, set: { disabledAt: new Date(), bumpSessionVersion: true } });
    expect(updated?.sessionVersion).toBe(user.sessionVersion + 1);
    expect(await countActiveAdmins({ db })).toBe(0);
    expect((await findUserByEmail({ db, email: "ops@example.com" }))?.disabledAt).toBeInstanceOf(Date);
  });

  it("pages the audit log newest first without gaps or repeats", async () => {
    const { db } = ctx.get();
    for (let i = 0; i < 25; i++) {
      await insertAuditEntry({ db, entry: { actorUserId: null, actorLabel: "system", action: i % 2 ? "odd" : "even", targetId: String(i) } });
    }
    const ids: string[] = [];
    let after;
    for (;;) {
      const page = await listAuditEntries({ db, filter: {}, after, limit: 10 });
      ids.push(...page.rows.map((r) => r.targetId ?? ""));
      if (!page.next) break;
      after = page.next;
    }
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => String(24 - i)));
    const odd = await listAuditEntries({ db, filter: { action: "odd" }, limit: 100 });
    expect(odd.rows).toHaveLength(12);
  });
});

describe.skipIf(unavailableReason("postgres"))("login throttle across instances [postgres]", () => {
  it("never lets two instances hand out the same attempt number", async () => {
    const fresh = await freshDatabase("postgres");
    const second = await openDatabase({ driver: "postgres", url: fresh.url! });
    try {
      const pools = [fresh.handle.db, second.db];
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => registerAttempt({ db: pools[i % 2]!, key: "email:race@example.com", windowSeconds: 900 })),
      );
      const counts = results.map((r) => r.attempts).sort((a, b) => a - b);
      expect(counts).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    } finally {
      await second.close();
      await fresh.dispose();
    }
  });
});
