// Lives in lib/hub because the protocol library reads loosely typed JSON most and may import nothing from the
// rest of the portal; every other folder takes the guard from here instead of writing its own.

/** A plain JSON object (not null, not an array), whose keys can be read without a cast. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
