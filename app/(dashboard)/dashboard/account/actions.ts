"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { PASSKEY_NAME_MAX, removeMyPasskey, renameMyPasskey } from "@/lib/auth/passkeys";
import { getClientIp } from "@/lib/auth/session";
import { endMyOtherSessions, endMySession } from "@/lib/auth/staff-sessions";
import { AppError } from "@/lib/errors";
import { validatedAction } from "@/lib/forms/validated-action";

const renameSchema = z.object({ id: z.uuid(), name: z.string().trim().min(1, "Name the passkey.").max(PASSKEY_NAME_MAX) });

export const renamePasskeyAction = validatedAction(renameSchema, "viewer", async (input, user) => {
  await renameMyPasskey(user, input.id, input.name, await getClientIp());
  revalidatePath("/dashboard/account");
  return { ok: true, message: "Passkey renamed." };
});

export const removePasskeyAction = validatedAction(z.object({ id: z.uuid() }), "viewer", async (input, user) => {
  await removeMyPasskey(user, input.id, await getClientIp());
  revalidatePath("/dashboard/account");
  return { ok: true, message: "Passkey removed." };
});

export const endSessionAction = validatedAction(z.object({ id: z.uuid() }), "viewer", async (input, user) => {
  if (input.id === user.sessionId) throw new AppError("conflict:current_session", "This is the session you are using: sign out instead.");
  await endMySession(user, input.id, await getClientIp());
  revalidatePath("/dashboard/account");
  return { ok: true, message: "Session ended: it is signed out on its next request." };
});

export const endOtherSessionsAction = validatedAction(z.object({}), "viewer", async (_input, user) => {
  const ended = await endMyOtherSessions(user, user.sessionId, await getClientIp());
  revalidatePath("/dashboard/account");
  return { ok: true, message: ended === 1 ? "1 other session ended." : `${ended} other sessions ended.` };
});
