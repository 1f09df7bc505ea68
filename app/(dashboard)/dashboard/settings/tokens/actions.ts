"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { API_TOKEN_SCOPES, createApiToken, revokeApiToken } from "@/lib/api/tokens";
import { validatedAction } from "@/lib/forms/validated-action";

export type IssuedToken = { name: string; token: string };

// Scopes arrive as one checkbox each (`scope_read` = "on"): FormData → object keeps one value per name.
const createSchema = z.preprocess(
  (raw) => {
    const form = raw as Record<string, unknown>;
    return { ...form, scopes: API_TOKEN_SCOPES.filter((s) => form[`scope_${s}`] === "on") };
  },
  z.object({ name: z.string(), scopes: z.array(z.string()), hubId: z.string().optional(), expiresInDays: z.string().optional() }),
);

export const createTokenAction = validatedAction<typeof createSchema, IssuedToken>(createSchema, "admin", async (input, actor) => {
  const created = await createApiToken(actor, { ...input, scopes: input.scopes as (typeof API_TOKEN_SCOPES)[number][] });
  revalidatePath("/dashboard/settings/tokens");
  return { ok: true, message: `Token "${created.row.name}" created. Copy it now: it is shown only this once.`, data: { name: created.row.name, token: created.token } };
});

const revokeSchema = z.object({ tokenId: z.uuid() });

export const revokeTokenAction = validatedAction(revokeSchema, "admin", async (input, actor) => {
  await revokeApiToken(actor, input.tokenId);
  revalidatePath("/dashboard/settings/tokens");
  return { ok: true, message: "Token revoked: calls with it are refused from now on." };
});
