import type { HttpError } from "./http-util";

// List parameters and envelope of docs/hub-contract.md §5.2: `limit`, `offset`, `sort` (field, `-` = descending,
// dotted paths), `filters` (JSON object of dotted field → value), answered as
// {count, filters, limit, offset, sort, total, <key>: [...]}.

export interface ListQuery {
  limit: number;
  offset: number;
  sort: string[];
  filters: Record<string, unknown>;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 1000;

function parseCount(raw: string | null, name: string, fallback: number, max: number, onError: (m: string) => HttpError): number {
  if (raw === null || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw onError(`${name} must be a non-negative integer`);
  const value = Number(raw);
  if (value > max) throw onError(`${name} must be at most ${max}`);
  return value;
}

export function parseListQuery(query: URLSearchParams, onError: (message: string) => HttpError): ListQuery {
  const limit = parseCount(query.get("limit"), "limit", DEFAULT_LIMIT, MAX_LIMIT, onError);
  if (limit < 1) throw onError("limit must be at least 1");
  const offset = parseCount(query.get("offset"), "offset", 0, Number.MAX_SAFE_INTEGER, onError);
  const sort = (query.get("sort") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "" && s !== "-");
  let filters: Record<string, unknown> = {};
  const rawFilters = query.get("filters");
  if (rawFilters !== null && rawFilters.trim() !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawFilters);
    } catch {
      throw onError("filters must be a JSON object (could not parse JSON)");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw onError("filters must be a JSON object");
    filters = parsed as Record<string, unknown>;
  }
  return { limit, offset, sort, filters };
}

export function getPath(value: unknown, dotted: string): unknown {
  let current = value;
  for (const key of dotted.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function matchesValue(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) return expected.some((e) => matchesValue(actual, e));
  if (expected === null) return actual === null || actual === undefined;
  if (typeof expected === "object") return JSON.stringify(actual) === JSON.stringify(expected);
  if (actual === null || actual === undefined || typeof actual === "object") return false;
  // Query strings are text: "true" matches true, "250" matches 250.
  return String(actual) === String(expected);
}

function matchesFilters(item: object, filters: Record<string, unknown>): boolean {
  for (const [key, expected] of Object.entries(filters)) {
    if (key === "q") {
      if (typeof expected !== "string") continue;
      if (!JSON.stringify(item).toLowerCase().includes(expected.toLowerCase())) return false;
      continue;
    }
    if (!matchesValue(getPath(item, key), expected)) return false;
  }
  return true;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const as = typeof a === "object" ? JSON.stringify(a) : String(a);
  const bs = typeof b === "object" ? JSON.stringify(b) : String(b);
  return as < bs ? -1 : as > bs ? 1 : 0;
}

/** Filters, sorts (stable; missing values last) and pages `items`, returning the contract envelope. */
export function listEnvelope<T extends object>(key: string, items: T[], q: ListQuery) {
  const filtered = items.filter((item) => matchesFilters(item, q.filters));
  if (q.sort.length > 0) {
    const keys = q.sort.map((s) => (s.startsWith("-") ? { path: s.slice(1), dir: -1 } : { path: s.replace(/^\+/, ""), dir: 1 }));
    filtered.sort((x, y) => {
      for (const k of keys) {
        const a = getPath(x, k.path);
        const b = getPath(y, k.path);
        const aMissing = a === null || a === undefined;
        const bMissing = b === null || b === undefined;
        if (aMissing || bMissing) {
          if (aMissing !== bMissing) return aMissing ? 1 : -1;
          continue;
        }
        const c = compare(a, b);
        if (c !== 0) return c * k.dir;
      }
      return 0;
    });
  }
  const pageItems = filtered.slice(q.offset, q.offset + q.limit);
  return {
    count: pageItems.length,
    filters: q.filters,
    limit: q.limit,
    offset: q.offset,
    sort: q.sort,
    total: filtered.length,
    [key]: pageItems,
  };
}
