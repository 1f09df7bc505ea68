import { describe, expect, it } from "vitest";
import { postgresAdminUrl, unavailableReason } from "@/test/db/databases";
import { spawnScript } from "./support";

// Proof that a failure of postgres.js's connection set-up, which no caller can catch (porsager/postgres#1192), does
// not end a portal or worker process (lib/process-guards.ts), on a real PostgreSQL. Without the guard it does: the
// second case shows the risk is real. CI met it once, when a connect timed out during test/proofs/db-restart.

const skip = unavailableReason("postgres");

describe.skipIf(skip)(`a new connection's array-types query fails [postgres]${skip ? ` (skipped: ${skip})` : ""}`, () => {
  it("the guarded process logs it, goes on, and its next pool answers", async () => {
    const child = spawnScript("test/proofs/startup-types-child.ts", { DATABASE_URL: postgresAdminUrl()! });
    await expect(child.ready).resolves.toEqual({ firstQuery: "57014", afterwards: 2 });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.stderr()).toContain("[proof] a new database connection failed while it was being set up (57014); postgres.js connects again");
    expect(child.stderr()).not.toContain("fatal");
  });

  it("without the guard, Node's default ends the process on that rejection", async () => {
    const child = spawnScript("test/proofs/startup-types-child.ts", { DATABASE_URL: postgresAdminUrl()! }, ["--unguarded"]);
    await expect(child.ready).rejects.toThrow(/exited \(1\) before it was ready/);
    // PostgreSQL reports the cancel as its statement timeout or as a cancel request ("user request"): both are
    // SQLSTATE 57014 and both end the unguarded process; which message comes is a race (1 run in 3 had the second).
    expect(child.stderr()).toMatch(/PostgresError: canceling statement due to (statement timeout|user request)/);
  });
});
