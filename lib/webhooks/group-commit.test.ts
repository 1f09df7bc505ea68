import { afterEach, describe, expect, it, vi } from "vitest";
import { createGroupCommit, type GroupCommitOptions } from "./group-commit";

// The batching rules of lib/webhooks/group-commit.ts with statements the test holds open and settles itself; the
// db tests (group-commit.db.test.ts) run the same through the receiver's real statements on both engines.

type Item = { key: string; size?: number; bad?: boolean };

/** A statement the test holds open: its items, and how to settle it. */
type Held = { items: Item[]; settle: () => void; fail: (error: unknown) => void };

function harness(overrides: Partial<GroupCommitOptions<Item, string>> = {}) {
  const statements: Held[] = [];
  const hold = (items: Item[]) =>
    new Promise<string[]>((resolve, reject) => {
      statements.push({
        items,
        settle: () => (items.some((i) => i.bad) ? reject(Object.assign(new Error("row refused"), { code: "23503" })) : resolve(items.map((i) => `stored ${i.key}`))),
        fail: reject,
      });
    });
  const group = createGroupCommit<Item, string>({
    runOne: async (item) => (await hold([item]))[0]!,
    runMany: (items) => hold([...items]),
    maxInFlight: 1,
    maxItems: 4,
    maxBytes: 100,
    sizeOf: (item) => item.size ?? 1,
    keyOf: (item) => item.key,
    retryAlone: (error) => (error as { code?: string }).code === "23503",
    ...overrides,
  });
  const outcomes = new Map<string, string>();
  const submit = (item: Item) =>
    group.submit(item).then(
      (result) => void outcomes.set(item.key + (outcomes.has(item.key) ? "'" : ""), result),
      (error: unknown) => void outcomes.set(item.key, `failed: ${(error as Error).message}`),
    );
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  return { group, statements, outcomes, submit, tick };
}

describe("group commit", () => {
  it("sends a delivery at once when nothing is in flight, alone", async () => {
    const { statements, outcomes, submit, tick, group } = harness();
    const done = submit({ key: "a" });
    await tick();
    expect(statements.map((s) => s.items.map((i) => i.key))).toEqual([["a"]]);
    expect(outcomes.size).toBe(0);
    statements[0]!.settle();
    await done;
    expect(outcomes.get("a")).toBe("stored a");
    expect(group.stats()).toEqual({ statements: 1, batched: 0, items: 1, retriedAlone: 0 });
  });

  it("puts what arrives while a statement runs into the next one, and answers each only when its statement settled", async () => {
    const { statements, outcomes, submit, tick, group } = harness();
    const all = [submit({ key: "a" }), submit({ key: "b" }), submit({ key: "c" }), submit({ key: "d" })];
    await tick();
    expect(statements.map((s) => s.items.map((i) => i.key))).toEqual([["a"]]);
    statements[0]!.settle();
    await tick();
    expect([...outcomes.keys()]).toEqual(["a"]);
    expect(statements.map((s) => s.items.map((i) => i.key))).toEqual([["a"], ["b", "c", "d"]]);
    await tick();
    expect([...outcomes.keys()]).toEqual(["a"]); // b, c, d wait for their statement
    statements[1]!.settle();
    await Promise.all(all);
    expect(Object.fromEntries(outcomes)).toEqual({ a: "stored a", b: "stored b", c: "stored c", d: "stored d" });
    expect(group.stats()).toEqual({ statements: 2, batched: 1, items: 4, retriedAlone: 0 });
  });

  it("keeps several statements in flight up to its bound", async () => {
    const { statements, submit, tick } = harness({ maxInFlight: 2 });
    const all = ["a", "b", "c", "d", "e"].map((key) => submit({ key }));
    await tick();
    expect(statements.map((s) => s.items.map((i) => i.key))).toEqual([["a"], ["b"]]);
    statements[1]!.settle();
    await tick();
    expect(statements.map((s) => s.items.map((i) => i.key))).toEqual([["a"], ["b"], ["c", "d", "e"]]);
    statements[0]!.settle();
    statements[2]!.settle();
    await Promise.all(all);
  });

  describe("with a second slot only for a stalled statement", () => {
    afterEach(() => vi.useRealTimers());
    const sent = (statements: Held[]) => statements.map((s) => s.items.map((i) => i.key));

    it("keeps one statement in flight while it finishes in time, so what waits goes together", async () => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
      const { statements, submit, tick, group } = harness({ maxInFlight: 2, extraSlotAfterMs: 50 });
      const all = ["a", "b", "c", "d"].map((key) => submit({ key }));
      await tick();
      expect(sent(statements)).toEqual([["a"]]);
      await vi.advanceTimersByTimeAsync(49);
      expect(sent(statements)).toEqual([["a"]]);
      statements[0]!.settle();
      await tick();
      expect(sent(statements)).toEqual([["a"], ["b", "c", "d"]]);
      // The timer armed for "a" finds nothing left to start beside the batch that has just begun.
      await vi.advanceTimersByTimeAsync(10);
      expect(statements).toHaveLength(2);
      statements[1]!.settle();
      await Promise.all(all);
      expect(group.stats()).toEqual({ statements: 2, batched: 1, items: 4, retriedAlone: 0 });
    });

    it("starts a second statement once the one in flight has run that long, and no third past the bound", async () => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
      const { statements, outcomes, submit, tick } = harness({ maxInFlight: 2, extraSlotAfterMs: 50 });
      const all = ["a", "b", "c"].map((key) => submit({ key }));
      await tick();
      expect(sent(statements)).toEqual([["a"]]);
      await vi.advanceTimersByTimeAsync(50);
      expect(sent(statements)).toEqual([["a"], ["b", "c"]]);
      all.push(submit({ key: "d" }));
      await vi.advanceTimersByTimeAsync(500);
      expect(sent(statements)).toEqual([["a"], ["b", "c"]]); // both slots taken, however long they run
      statements[1]!.settle();
      await tick();
      await vi.advanceTimersByTimeAsync(0);
      // "a" has been running for over 50 ms, so "d" need not wait for it.
      expect(sent(statements)).toEqual([["a"], ["b", "c"], ["d"]]);
      expect([...outcomes.keys()].sort()).toEqual(["b", "c"]);
      statements[0]!.settle();
      statements[2]!.settle();
      await Promise.all(all);
      expect([...outcomes.keys()].sort()).toEqual(["a", "b", "c", "d"]);
    });
  });

  it("bounds a statement by items and bytes, sends an item over the byte bound alone, and never puts one key twice in a statement", async () => {
    const { statements, submit, tick } = harness();
    const all = [
      submit({ key: "first" }),
      ...["a", "b", "a", "c", "d", "e"].map((key) => submit({ key })),
      submit({ key: "big", size: 500 }),
      submit({ key: "f", size: 60 }),
      submit({ key: "g", size: 60 }),
    ];
    await tick();
    const sent = () => statements.map((s) => s.items.map((i) => i.key));
    for (let i = 0; i < 6; i++) {
      statements[i]?.settle();
      await tick();
    }
    // The second "a" and "big" wait for a later statement; whatever fits goes ahead of them, and "big", first in
    // line then, goes alone.
    expect(sent()).toEqual([["first"], ["a", "b", "c", "d"], ["a", "e", "f"], ["big"], ["g"]]);
    for (const s of statements) s.settle();
    await Promise.all(all);
    // Every statement holds at most 4 items, at most 100 bytes unless it is one item, and each key once.
    for (const s of statements) {
      expect(s.items.length).toBeLessThanOrEqual(4);
      if (s.items.length > 1) expect(s.items.reduce((n, i) => n + (i.size ?? 1), 0)).toBeLessThanOrEqual(100);
      expect(new Set(s.items.map((i) => i.key)).size).toBe(s.items.length);
    }
    expect(statements.flatMap((s) => s.items.map((i) => i.key)).sort()).toEqual(["a", "a", "b", "big", "c", "d", "e", "f", "first", "g"]);
  });

  it("tries each row of a batch alone when a row's fault failed it: the bad one fails, the others are stored", async () => {
    const { statements, outcomes, submit, tick, group } = harness();
    const all = [submit({ key: "first" }), submit({ key: "a" }), submit({ key: "bad", bad: true }), submit({ key: "c" })];
    await tick();
    statements[0]!.settle();
    await tick();
    statements[1]!.settle(); // the batch a, bad, c fails
    for (let i = 2; i < 5; i++) {
      await tick();
      expect(outcomes.size).toBe(1 + (i - 2)); // one at a time, each answered after its own statement
      statements[i]!.settle();
    }
    await Promise.all(all);
    expect(statements.map((s) => s.items.map((i) => i.key))).toEqual([["first"], ["a", "bad", "c"], ["a"], ["bad"], ["c"]]);
    expect(Object.fromEntries(outcomes)).toEqual({ first: "stored first", a: "stored a", bad: "failed: row refused", c: "stored c" });
    expect(group.stats()).toEqual({ statements: 5, batched: 1, items: 4, retriedAlone: 3 });
  });

  it("fails the whole batch without retrying when no row can be the cause (a lost connection, a timeout)", async () => {
    const { statements, outcomes, submit, tick, group } = harness();
    const all = [submit({ key: "first" }), submit({ key: "a" }), submit({ key: "b" })];
    await tick();
    statements[0]!.settle();
    await tick();
    statements[1]!.fail(Object.assign(new Error("connection lost"), { code: "08006" }));
    await Promise.all(all);
    expect(statements).toHaveLength(2);
    expect(Object.fromEntries(outcomes)).toEqual({ first: "stored first", a: "failed: connection lost", b: "failed: connection lost" });
    expect(group.stats().retriedAlone).toBe(0);
  });
});
