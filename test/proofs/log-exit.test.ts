import { describe, expect, it } from "vitest";
import { spawnScript } from "./support";

// Proof of lib/log.ts's asynchronous stdout: lines still held when the process ends, by process.exit (a signal
// handler, a fatal error's exit) or by an uncaught error, are written before it is gone, in order.

const LINES = 20_000; // about 5 MB: far more than one write takes, so most are still held at the exit

describe("the portal's log lines at exit", () => {
  for (const how of ["process.exit", "an uncaught error"] as const) {
    it(`are all written, in order, when the process ends by ${how}`, async () => {
      const child = spawnScript("test/proofs/log-exit-child.ts", { LOG_LEVEL: "info" }, [String(LINES), ...(how === "process.exit" ? [] : ["--throw"])]);
      const exited = await child.exited;
      expect(exited.code, child.stderr().slice(-2_000)).toBe(how === "process.exit" ? 0 : 1);
      // The pipe may still hold the last lines when the exit is reported.
      await expect.poll(() => child.lines.filter((l) => l.msg === "proof line").length, { timeout: 10_000 }).toBe(LINES);
      const seqs = child.lines.filter((l) => l.msg === "proof line").map((l) => l.seq);
      expect(seqs).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
    }, 30_000);
  }
});
