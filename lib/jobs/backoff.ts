// Retry schedule of a failed job (docs/security.md R8): ≈ 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h, each ±20 % so a burst of
// failures (an upstream outage) does not come back as a burst. Pure: the caller passes its random source.

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const BACKOFF_SCHEDULE_MS: readonly number[] = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR];
export const BACKOFF_CAP_MS = 10 * HOUR;
export const BACKOFF_JITTER = 0.2;

/**
 * Milliseconds to wait after failed attempt number `attempt` (1 = the first run failed) before the next try.
 * `random` returns a number in [0, 1), like Math.random.
 */
export function backoff(attempt: number, random: () => number = Math.random): number {
  const index = Math.max(1, Math.floor(attempt)) - 1;
  const base = BACKOFF_SCHEDULE_MS[index] ?? BACKOFF_CAP_MS;
  const factor = 1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * Math.min(Math.max(random(), 0), 1);
  return Math.round(Math.min(base * factor, BACKOFF_CAP_MS));
}

/**
 * The wait an upstream asked for (its `Retry-After`), carried by the error as `retryAfterMs`, or undefined. Any
 * error type may carry it; the job runner does not know the hub's error class.
 */
export function requestedRetryMs(error: unknown): number | undefined {
  const value = typeof error === "object" && error !== null ? (error as { retryAfterMs?: unknown }).retryAfterMs : undefined;
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * The delay before the next try: the upstream's own `Retry-After` when it gave one (honoured, never shortened, a
 * little jitter on top so queued jobs do not return at once; at most the cap), else the schedule above.
 */
export function retryDelay(attempt: number, error: unknown, random: () => number = Math.random): number {
  const asked = requestedRetryMs(error);
  if (asked === undefined) return backoff(attempt, random);
  const jitter = BACKOFF_JITTER * Math.max(asked, SECOND) * Math.min(Math.max(random(), 0), 1);
  return Math.round(Math.min(Math.max(asked, SECOND) + jitter, BACKOFF_CAP_MS));
}
