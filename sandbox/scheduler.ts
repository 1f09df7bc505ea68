// Every timer of the sandbox goes through here, so close() and reset() stop all of them, and one
// channel's pending lifecycle steps (or one template's review) can be cancelled by tag.

type Timer = ReturnType<typeof setTimeout>;

export class Scheduler {
  private readonly timers = new Map<Timer, string | undefined>();
  private readonly sleepers = new Map<Timer, () => void>();

  after(ms: number, fn: () => void, tag?: string): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.set(timer, tag);
  }

  /** Resolves after `ms`, or at once when the scheduler is cleared (so waiting loops can end). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }

  cancel(tag: string): void {
    for (const [timer, t] of this.timers) {
      if (t !== tag) continue;
      clearTimeout(timer);
      this.timers.delete(timer);
    }
  }

  clear(): void {
    for (const timer of this.timers.keys()) clearTimeout(timer);
    this.timers.clear();
    for (const [timer, resolve] of this.sleepers) {
      clearTimeout(timer);
      resolve();
    }
    this.sleepers.clear();
  }
}
