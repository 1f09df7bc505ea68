import "server-only";
import { authenticateAndSpend } from "@/db/queries/api-tokens";
import type { ApiTokenScope } from "@/db/schema";
import type { Actor } from "../audit";
import { getDb } from "../db";
import { getEnv } from "../env";
import { AppError } from "../errors";
import { hashApiToken, isApiTokenShape } from "./tokens";

/** Who is calling: the token, and the admin it acts for (audit entries name both). */
export type ApiCaller = {
  tokenId: string;
  tokenName: string;
  scopes: readonly ApiTokenScope[];
  /** Null: every hub. A resource of another hub is answered 404, as if it did not exist. */
  hubId: string | null;
  /** The owner as the rest of the portal knows actors; the label says it was the token. */
  actor: Actor;
};

const UNAUTHENTICATED = "Send a valid API token: Authorization: Bearer ppt_…";

/** Thrown with `Retry-After` (seconds) for the handler to send. */
export class RateLimited extends AppError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super("throttled:rate_limit", `Too many requests with this token. Try again in ${retryAfterSeconds} s.`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * One answer (401 unauthenticated:token) for a missing, malformed, unknown, expired or revoked token, and for a
 * token whose owner is no longer an enabled admin: a caller learns nothing about which tokens exist.
 */
export async function authenticate(request: Request): Promise<ApiCaller> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  const token = match?.[1];
  if (!token || !isApiTokenShape(token)) throw new AppError("unauthenticated:token", UNAUTHENTICATED);
  const env = getEnv();
  const row = await authenticateAndSpend({
    db: await getDb(),
    tokenHash: hashApiToken(token),
    burst: env.API_RATE_BURST,
    perSecond: env.API_RATE_PER_MINUTE / 60,
  });
  if (!row || row.ownerDisabled || row.ownerRole !== "admin") throw new AppError("unauthenticated:token", UNAUTHENTICATED);
  if (!row.allowed) throw new RateLimited(row.retryAfterSeconds);
  return {
    tokenId: row.token.id,
    tokenName: row.token.name,
    scopes: row.token.scopes,
    hubId: row.token.hubId,
    actor: { id: row.token.ownerId, email: `api token "${row.token.name}" (${row.ownerEmail})` },
  };
}

export function requireScope(caller: ApiCaller, scope: ApiTokenScope): void {
  if (!caller.scopes.includes(scope)) throw new AppError(`forbidden:scope`, `This token lacks the "${scope}" scope.`);
}

/** 404 for a resource the token may not see: a hub-restricted token cannot tell other hubs' ids exist. */
export function requireVisible(caller: ApiCaller, hubId: string, what: string, words: string): void {
  if (caller.hubId && caller.hubId !== hubId) throw new AppError(`not_found:${what}`, words);
}

/** The hub filter a list runs with: the token's hub wins; a different requested hub lists nothing. */
export function hubFilter(caller: ApiCaller, requested: string | undefined): { hubId?: string; empty: boolean } {
  if (!caller.hubId) return { hubId: requested, empty: false };
  return { hubId: caller.hubId, empty: requested !== undefined && requested !== caller.hubId };
}
