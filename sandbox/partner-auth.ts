import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { SandboxContext } from "./context";
import { HttpError, metaError, readJson, sendJson, type RequestContext } from "./http-util";
import { newToken } from "./ids";
import type { Partner } from "./types";

// Partner API authentication (docs/hub-contract.md §5.1): `X-API-Key: <partner key>`, or the legacy
// `POST /api/v2/token {username, password}` → bearer token with a configurable lifetime (UNVERIFIED upstream).

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The partner the request is authenticated as; 401 without valid credentials, 403 for another partner's path. */
export function authenticate(ctx: RequestContext, sb: SandboxContext): Partner {
  const { state } = sb;
  const apiKey = header(ctx, "x-api-key");
  const authorization = header(ctx, "authorization");
  let partner: Partner | undefined;
  if (apiKey) {
    partner = [...state.partners.values()].find((p) => safeEqual(p.apiKey, apiKey));
    if (!partner) throw metaError(401, "Invalid API key");
  } else if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) throw metaError(401, "Authorization header must be 'Bearer <access_token>'");
    const token = state.tokens.get(match[1]);
    if (!token) throw metaError(401, "Invalid access token");
    if (token.expiresAt <= state.now()) {
      state.tokens.delete(match[1]);
      throw metaError(401, "Access token expired");
    }
    partner = state.partners.get(token.partnerId);
    if (!partner) throw metaError(401, "Invalid access token");
  } else {
    throw metaError(401, "Missing credentials: send X-API-Key or Authorization: Bearer <access_token>");
  }
  const pathPartner = ctx.params.pid;
  if (pathPartner !== undefined && pathPartner !== partner.id) {
    throw metaError(403, `These credentials do not give access to partner ${pathPartner}`);
  }
  return partner;
}

const tokenRequest = z.object({ username: z.string().min(1), password: z.string().min(1) });

function tokenError(status: number, error: string, description: string): HttpError {
  // Token endpoint errors use {error, error_description}, not the meta envelope (docs/hub-contract.md §5.5).
  return new HttpError(status, { error, error_description: description });
}

export async function issueToken(ctx: RequestContext, sb: SandboxContext): Promise<void> {
  const { state } = sb;
  const body = await readJson(ctx, (m) => tokenError(400, "invalid_request", m));
  const parsed = tokenRequest.safeParse(body);
  if (!parsed.success) throw tokenError(400, "invalid_request", "username and password are required");
  const { username, password } = parsed.data;
  const partner = [...state.partners.values()].find(
    (p) => p.username !== null && p.password !== null && safeEqual(p.username, username) && safeEqual(p.password, password),
  );
  if (!partner) throw tokenError(401, "invalid_grant", "Wrong username or password");
  state.prune();
  const accessToken = newToken();
  const ttl = state.config.tokenTtlSeconds;
  state.tokens.set(accessToken, { partnerId: partner.id, expiresAt: state.now() + ttl * 1000 });
  sendJson(ctx.res, 200, { access_token: accessToken, token_type: "bearer", expires_in: ttl });
}
