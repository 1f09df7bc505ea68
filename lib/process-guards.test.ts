import { afterEach, describe, expect, it, vi } from "vitest";
import { guardAgainstPostgresDriverErrors, isPostgresMidWriteError, isPostgresStartupTypesError } from "./process-guards";

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

// porsager/postgres#1192: postgres.js 3.4.9 attaches the failed query's text as `query` (non-enumerable unless debug).
const ARRAY_TYPES_SQL = `
      select b.oid, b.typarray
      from pg_catalog.pg_type a
      left join pg_catalog.pg_type b on b.oid = a.typelem
      where a.typcategory = 'A'
      group by b.oid, b.typarray
      order by b.oid
    `;

function startupTypesError(query = ARRAY_TYPES_SQL, code = "CONNECTION_DESTROYED"): Error {
  const error = Object.assign(new Error(`write ${code} 127.0.0.1:5432`), { code });
  Object.defineProperty(error, "query", { value: query, enumerable: false });
  return error;
}

describe("isPostgresStartupTypesError", () => {
  it("recognises a failure of postgres.js's own array-types query, whatever the cause", () => {
    expect(isPostgresStartupTypesError(startupTypesError())).toBe(true);
    expect(isPostgresStartupTypesError(startupTypesError(ARRAY_TYPES_SQL, "57014"))).toBe(true);
    // As vitest hands it over: a plain object with the property copied.
    expect(isPostgresStartupTypesError({ message: "x", query: ARRAY_TYPES_SQL })).toBe(true);
  });

  it("does not excuse the failure of any other query", () => {
    expect(isPostgresStartupTypesError(startupTypesError("select oid, typarray from pg_catalog.pg_type"))).toBe(false);
    expect(isPostgresStartupTypesError(startupTypesError(`select * from channels where note = '${ARRAY_TYPES_SQL}'`))).toBe(false);
    expect(isPostgresStartupTypesError(new Error(ARRAY_TYPES_SQL))).toBe(false);
    expect(isPostgresStartupTypesError({ query: 42 })).toBe(false);
    expect(isPostgresStartupTypesError(ARRAY_TYPES_SQL)).toBe(false);
    expect(isPostgresStartupTypesError(null)).toBe(false);
  });
});

describe("guardAgainstPostgresDriverErrors", () => {
  afterEach(() => vi.restoreAllMocks());

  it("keeps the process up for the mid-write error and ends it for anything else", () => {
    const before = new Set(process.listeners("uncaughtException"));
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
    const rejectionsBefore = new Set(process.listeners("unhandledRejection"));
    guardAgainstPostgresDriverErrors("test");
    const added = process.listeners("uncaughtException").filter((l) => !before.has(l));
    for (const listener of process.listeners("unhandledRejection")) if (!rejectionsBefore.has(listener)) process.off("unhandledRejection", listener);
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

  it("forgives the array-types rejection; any other rejection ends the process unless someone else (Next.js) listens", () => {
    const before = new Set(process.listeners("unhandledRejection"));
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
    const uncaughtBefore = new Set(process.listeners("uncaughtException"));
    // Alone, as in the worker: vitest's own listeners are set aside for the length of the test.
    const others = [...before];
    for (const listener of others) process.off("unhandledRejection", listener);
    guardAgainstPostgresDriverErrors("test");
    const added = process.listeners("unhandledRejection");
    const nextJs = () => {};
    try {
      expect(added).toHaveLength(1);
      const handler = added[0]!;
      handler(startupTypesError(), Promise.resolve());
      expect(exit).not.toHaveBeenCalled();
      expect(consoleError).toHaveBeenLastCalledWith(
        "[test] a new database connection failed while it was being set up (CONNECTION_DESTROYED); postgres.js connects again",
      );
      process.on("unhandledRejection", nextJs);
      handler(new Error("late prefetch"), Promise.resolve());
      expect(exit).not.toHaveBeenCalled();
      process.off("unhandledRejection", nextJs);
      handler(new Error("boom"), Promise.resolve());
      expect(exit).toHaveBeenCalledWith(1);
      expect(String(consoleError.mock.lastCall?.[0])).toMatch(/^\[test\] fatal: unhandled rejection: Error: boom/);
    } finally {
      process.off("unhandledRejection", nextJs);
      for (const listener of added) process.off("unhandledRejection", listener);
      for (const listener of others) process.on("unhandledRejection", listener);
      for (const listener of process.listeners("uncaughtException")) if (!uncaughtBefore.has(listener)) process.off("uncaughtException", listener);
    }
  });
});
