import { afterEach, describe, expect, it, vi } from "vitest";
import { guardAgainstPostgresMidWriteErrors, isPostgresMidWriteError } from "./process-guards";

// porsager/postgres#1154: the TypeError postgres.js 3.4.9 throws from its socket callback.
function midWriteError(stackPath = "/app/node_modules/postgres/src/connection.js"): TypeError {
  const error = new TypeError("Cannot read properties of null (reading 'write')");
  error.stack = `TypeError: ${error.message}\n    at Socket.connect (${stackPath}:123:45)`;
  return error;
}

describe("isPostgresMidWriteError", () => {
  it("recognises postgres.js's mid-write TypeError, on either path separator", () => {
    expect(isPostgresMidWriteError(midWriteError())).toBe(true);
    expect(isPostgresMidWriteError(midWriteError("C:\\app\\node_modules\\postgres\\src\\connection.js"))).toBe(true);
  });

  it("does not excuse anything else", () => {
    expect(isPostgresMidWriteError(midWriteError("/app/lib/webhooks/ingest.ts"))).toBe(false);
    const other = new TypeError("Cannot read properties of undefined (reading 'id')");
    other.stack = `TypeError: ${other.message}\n    at x (/app/node_modules/postgres/src/connection.js:1:1)`;
    expect(isPostgresMidWriteError(other)).toBe(false);
    const notTypeError = new Error("Cannot read properties of null (reading 'write')");
    notTypeError.stack = midWriteError().stack;
    expect(isPostgresMidWriteError(notTypeError)).toBe(false);
    expect(isPostgresMidWriteError("reading 'write' postgres/src/connection")).toBe(false);
  });
});

describe("guardAgainstPostgresMidWriteErrors", () => {
  afterEach(() => vi.restoreAllMocks());

  it("keeps the process up for the mid-write error and ends it for anything else", () => {
    const before = new Set(process.listeners("uncaughtException"));
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
    guardAgainstPostgresMidWriteErrors("test");
    const added = process.listeners("uncaughtException").filter((l) => !before.has(l));
    try {
      expect(added).toHaveLength(1);
      const handler = added[0]!;
      handler(midWriteError(), "uncaughtException");
      expect(exit).not.toHaveBeenCalled();
      expect(consoleError).toHaveBeenLastCalledWith("[test] the database connection broke mid-write; postgres.js reconnects");
      handler(new Error("boom"), "uncaughtException");
      expect(exit).toHaveBeenCalledWith(1);
      expect(String(consoleError.mock.lastCall?.[0])).toMatch(/^\[test\] fatal: Error: boom/);
    } finally {
      for (const listener of added) process.off("uncaughtException", listener);
    }
  });
});
