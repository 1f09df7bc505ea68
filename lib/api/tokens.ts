import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { findApiTokenById, findFirstAdmin, insertApiToken, listApiTokens, revokeApiTokenRow, type ApiTokenListRow } from "@/db/queries/api-tokens";
import { findHubById } from "@/db/queries/hubs";
import type { Database } from "@/db/client";
import { API_TOKEN_SCOPES, type ApiToken, type ApiTokenScope } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError, fieldErrorsOf } from "../errors";

// REST API tokens (docs/api.md "Tokens"): `ppt_` + 32 random bytes (base64url). Only the SHA-256 is stored and
// looked up: with 256 bits of entropy a fast hash is enough (no guessing to slow down), and a lookup by hash
// never compares the secret itself, so nothing about it leaks through timing.

export const TOKEN_PREFIX = "ppt_";
const TOKEN_RE = /^ppt_[A-Za-z0-9_-]{43}$/;
export { API_TOKEN_SCOPES, type ApiTokenScope };

export function newApiToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function isApiTokenShape(value: string): boolean {
  return TOKEN_RE.test(value);
}

export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export const SCOPE_WORDS: Record<ApiTokenScope, string> = {
  read: "read: clients, numbers, templates, invites, onboarding sessions, webhook inbox",
  onboard: "onboard: create and revoke invites",
  templates: "templates: create templates (the linter runs)",
  keys: "keys: claim a number's API key once",
  webhooks: "webhooks: manage outbound event endpoints",
};

const MAX_DAYS = 3650;

export const tokenInputSchema = z.object({
  name: z.string().trim().min(1, "Give the token a name.").max(100, "At most 100 characters."),
  scopes: z.array(z.enum(API_TOKEN_SCOPES)).min(1, "Choose at least one scope.").transform((s) => [...new Set(s)].sort() as ApiTokenScope[]),
  hubId: z.preprocess((v) => (v === "" || v === null ? undefined : v), z.uuid("Choose a hub.").optional()),
  expiresInDays: z.preprocess(
    (v) => (v === "" || v === null ? undefined : v),
    z.coerce.number().int("Whole days only.").min(1, "At least 1 day.").max(MAX_DAYS, `At most ${MAX_DAYS} days.`).optional(),
  ),
});
export type TokenInput = z.input<typeof tokenInputSchema>;

export type CreatedToken = { token: string; row: ApiToken };

/** Admin only (the caller checks the role; the CLI runs with the server's own rights). The token is returned once. */
export async function createApiToken(actor: Actor, input: TokenInput, deps: { db?: Database } = {}): Promise<CreatedToken> {
  const parsed = tokenInputSchema.safeParse(input);
  if (!parsed.success) throw new AppError("invalid:api_token", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsOf(parsed.error.issues) });
  const { name, scopes, hubId, expiresInDays } = parsed.data;
  const db = deps.db ?? (await getDb());
  if (hubId && !(await findHubById({ db, id: hubId }))) {
    throw new AppError("invalid:api_token", "Please correct the highlighted fields.", { fieldErrors: { hubId: ["That hub no longer exists."] } });
  }
  const token = newApiToken();
  const row = await db.transaction(async (tx) => {
    const created = await insertApiToken({
      db: tx,
      token: {
        name,
        tokenHash: hashApiToken(token),
        prefix: token.slice(0, TOKEN_PREFIX.length + 4),
        scopes,
        hubId: hubId ?? null,
        expiresAt: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null,
        ownerId: actor.id,
      },
    });
    await audit(
      tx,
      {
        actor,
        action: "api_token.created",
        targetType: "api_token",
        targetId: created.id,
        hubId: hubId ?? undefined,
        detail: { name, scopes, hubId: hubId ?? null, expiresAt: created.expiresAt?.toISOString() ?? null, prefix: created.prefix },
      },
    );
    return created;
  });
  return { token, row };
}

export async function listTokens(deps: { db?: Database } = {}): Promise<ApiTokenListRow[]> {
  return listApiTokens({ db: deps.db ?? (await getDb()) });
}

/** Admin only (the caller checks the role). Revoking twice keeps the first time and audits once. */
export async function revokeApiToken(actor: Actor, id: string, deps: { db?: Database } = {}): Promise<void> {
  if (!z.uuid().safeParse(id).success) throw new AppError("not_found:api_token", "That token does not exist.");
  const db = deps.db ?? (await getDb());
  await db.transaction(async (tx) => {
    const row = await revokeApiTokenRow({ db: tx, id });
    if (!row) {
      if (await findApiTokenById({ db: tx, id })) return;
      throw new AppError("not_found:api_token", "That token does not exist.");
    }
    await audit(
      tx,
      { actor, action: "api_token.revoked", targetType: "api_token", targetId: row.id, hubId: row.hubId ?? undefined, detail: { name: row.name, prefix: row.prefix } },
    );
  });
}

/** The owner of a CLI-made token: the admin named, or the oldest enabled admin. */
export async function cliTokenOwner(email: string | undefined, deps: { db?: Database } = {}): Promise<Actor> {
  const owner = await findFirstAdmin({ db: deps.db ?? (await getDb()), email });
  if (!owner) {
    throw new AppError(
      "not_found:admin",
      email ? `No enabled admin has the email ${email}.` : "No enabled admin exists yet: create the first one at /setup, then run this again.",
    );
  }
  return owner;
}
