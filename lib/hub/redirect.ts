// The query 360dialog appends to the partner's redirect URL (docs/hub-contract.md §2.1):
// `?client=<id>&channels=[<id>,<id>]&revoked=[<id>]`, brackets raw or percent-encoded.
// A strict grammar (docs/security.md R12): the values are hints to check against the Partner API (docs/hub-contract.md §11.4), never proof.
// UNVERIFIED: whether `state` is echoed back, so a missing state is null and the caller decides.

export type RedirectQuery = { clientId: string | null; channels: string[]; revoked: string[]; state: string | null };
export type RedirectErrorCode = "bad_client" | "bad_channels" | "bad_revoked" | "bad_state" | "too_many" | "too_long" | "duplicate_param";
export type RedirectParseResult = { ok: true; value: RedirectQuery } | { ok: false; error: { code: RedirectErrorCode; message: string } };

export const REDIRECT_MAX_QUERY_BYTES = 8 * 1024;
export const REDIRECT_MAX_IDS = 50;
export const REDIRECT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const REDIRECT_STATE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const SINGLE_PARAMS = ["client", "channels", "revoked", "state"] as const;

type Failure = Extract<RedirectParseResult, { ok: false }>;
// Messages are fixed text: the query is attacker-controlled and never echoed.
const fail = (code: RedirectErrorCode, message: string): Failure => ({ ok: false, error: { code, message } });

function tooLong(query: string): boolean {
  return query.length > REDIRECT_MAX_QUERY_BYTES || new TextEncoder().encode(query).length > REDIRECT_MAX_QUERY_BYTES;
}

function parseList(value: string | null, name: "channels" | "revoked"): string[] | Failure {
  const code = name === "channels" ? "bad_channels" : "bad_revoked";
  if (value === null) return [];
  const list = value.trim();
  if (!list.startsWith("[") || !list.endsWith("]")) return fail(code, `${name} must look like [id,id]`);
  const inner = list.slice(1, -1).trim();
  if (inner === "") return [];
  const ids = inner.split(",");
  if (ids.length > REDIRECT_MAX_IDS) return fail("too_many", `${name} lists more than ${REDIRECT_MAX_IDS} ids`);
  const unique = new Set<string>();
  for (const raw of ids) {
    const id = raw.trim();
    if (!REDIRECT_ID_PATTERN.test(id)) return fail(code, `${name} holds an id outside 1-64 of A-Z a-z 0-9 _ -`);
    unique.add(id);
  }
  return [...unique];
}

/** Parses `location.search` (with or without `?`) or its URLSearchParams; never throws. */
export function parseRedirectQuery(input: URLSearchParams | string): RedirectParseResult {
  try {
    const query = typeof input === "string" ? input.replace(/^\?/, "") : input instanceof URLSearchParams ? input.toString() : "";
    if (tooLong(query)) return fail("too_long", `query is longer than ${REDIRECT_MAX_QUERY_BYTES} bytes`);
    const params = new URLSearchParams(query);
    for (const name of SINGLE_PARAMS) {
      if (params.getAll(name).length > 1) return fail("duplicate_param", `${name} appears more than once`);
    }

    const client = params.get("client");
    if (client !== null && !REDIRECT_ID_PATTERN.test(client)) return fail("bad_client", "client must be 1-64 of A-Z a-z 0-9 _ -");
    const channels = parseList(params.get("channels"), "channels");
    if (!Array.isArray(channels)) return channels;
    const revoked = parseList(params.get("revoked"), "revoked");
    if (!Array.isArray(revoked)) return revoked;
    const state = params.get("state");
    if (state !== null && !REDIRECT_STATE_PATTERN.test(state)) return fail("bad_state", "state must be 16-128 of A-Z a-z 0-9 _ -");

    return { ok: true, value: { clientId: client, channels, revoked, state } };
  } catch {
    return fail("too_long", "query could not be read");
  }
}
