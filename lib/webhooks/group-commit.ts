import "server-only";

// Group commit for the webhook receiver (bench/README.md, "Webhook receiver"): deliveries that arrive while the
// store statements in flight run wait and go together in the next one, a single multi-row statement, instead of
// one statement, one round trip and one commit each. A delivery that finds a free slot is sent at once, so an idle
// receiver adds no latency. Each caller's promise settles only with the statement that carried its row, that is
// after its commit (docs/security.md R4): a batch either commits whole or stores nothing. When a batch fails for a
// reason one of its rows may have caused, every row is tried again in a statement of its own, so one bad delivery
// cannot fail the others (each then gets its own answer).

export type GroupCommitOptions<T, R> = {
  /** Stores one item in one statement. */
  runOne(item: T): Promise<R>;
  /** Stores several items in one statement; results in the order given. Only called with two or more. */
  runMany(items: readonly T[]): Promise<R[]>;
  /** Statements run at once at most; what arrives meanwhile waits for the next free one. */
  maxInFlight: number;
  /**
   * When set, a statement beyond the first starts only once every statement in flight has run this long (a lock
   * wait, a slow commit). While the database keeps up, whatever arrives goes together in the next statement, which
   * keeps batches large; a stalled statement holds the others up for no longer than this.
   */
  extraSlotAfterMs?: number;
  /** Most items in one statement. */
  maxItems: number;
  /** Most bytes (sizeOf) in one statement; an item larger than this still goes, alone. */
  maxBytes: number;
  sizeOf(item: T): number;
  /** Items with the same key never share a statement (the later waits for the next one). */
  keyOf(item: T): string;
  /** Whether a failed batch's rows are tried again one by one; false for errors no single row can cause. */
  retryAlone(error: unknown): boolean;
};

type Waiting<T, R> = { item: T; key: string; size: number; resolve: (result: R) => void; reject: (error: unknown) => void };

export type GroupCommitStats = { statements: number; batched: number; items: number; retriedAlone: number };

export type GroupCommit<T, R> = {
  submit(item: T): Promise<R>;
  /** Counters since this group was made (tests, benches). */
  stats(): GroupCommitStats;
};

export function createGroupCommit<T, R>(options: GroupCommitOptions<T, R>): GroupCommit<T, R> {
  const queue: Waiting<T, R>[] = [];
  /** When each statement in flight started (Date.now()), oldest first. */
  const running: number[] = [];
  let stallTimer: ReturnType<typeof setTimeout> | undefined;
  const stats: GroupCommitStats = { statements: 0, batched: 0, items: 0, retriedAlone: 0 };

  /**
   * Takes the next statement's items off the queue, oldest first, within the bounds and one per key; one that does
   * not fit stays for a later statement (the oldest always goes, alone if it must, so none waits forever).
   */
  function take(): Waiting<T, R>[] {
    const batch: Waiting<T, R>[] = [];
    const keys = new Set<string>();
    let bytes = 0;
    for (let i = 0; i < queue.length && batch.length < options.maxItems; ) {
      const next = queue[i]!;
      if (keys.has(next.key) || (batch.length > 0 && bytes + next.size > options.maxBytes)) {
        i++;
        continue;
      }
      keys.add(next.key);
      bytes += next.size;
      batch.push(next);
      queue.splice(i, 1);
    }
    return batch;
  }

  function pump(): void {
    while (running.length < options.maxInFlight && queue.length > 0) {
      const wait = extraSlotWait();
      if (wait > 0) {
        // Looked at again when the youngest statement in flight has run long enough, or sooner if one finishes.
        stallTimer ??= setTimeout(() => {
          stallTimer = undefined;
          pump();
        }, wait);
        return;
      }
      const batch = take();
      const started = Date.now();
      running.push(started);
      void run(batch).finally(() => {
        running.splice(running.indexOf(started), 1);
        pump();
      });
    }
  }

  /** Milliseconds until another statement may start beside those in flight; 0 when it may now. */
  function extraSlotWait(): number {
    if (running.length === 0 || options.extraSlotAfterMs === undefined) return 0;
    return Math.max(0, running[running.length - 1]! + options.extraSlotAfterMs - Date.now());
  }

  async function run(batch: Waiting<T, R>[]): Promise<void> {
    stats.statements++;
    stats.items += batch.length;
    if (batch.length === 1) {
      const only = batch[0]!;
      await options.runOne(only.item).then(only.resolve, only.reject);
      return;
    }
    stats.batched++;
    let results: R[];
    try {
      results = await options.runMany(batch.map((w) => w.item));
    } catch (error) {
      if (!options.retryAlone(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      // Nothing of the batch was stored: each row again on its own, one after another, inside this slot.
      stats.retriedAlone += batch.length;
      for (const w of batch) {
        stats.statements++;
        await options.runOne(w.item).then(w.resolve, w.reject);
      }
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]!));
  }

  return {
    submit(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, key: options.keyOf(item), size: options.sizeOf(item), resolve, reject });
        pump();
      });
    },
    stats: () => ({ ...stats }),
  };
}
