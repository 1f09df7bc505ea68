"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getClientIp } from "@/lib/auth/session";
import { confirmTotpEnrolment, regenerateRecoveryCodes, removeTotp, startTotpEnrolment } from "@/lib/auth/totp";
import { validatedAction } from "@/lib/forms/validated-action";

// Authenticator-app actions, used on the forced enrolment page (/two-factor) and on the account page. Role
// "enrolment": a user whom the two-factor policy holds at enrolment may use them (docs/accounts.md §3).

export type TotpStart = { secret: string; qrDataUrl: string };

export const startTotpAction = validatedAction<z.ZodObject, TotpStart>(z.object({}), "enrolment", async (_input, user) => {
  const enrolment = await startTotpEnrolment(user);
  return { ok: true, data: { secret: enrolment.secret, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(enrolment.qrSvg).toString("base64")}` } };
});

const codeSchema = z.object({ code: z.string().trim().min(1, "Type the code.").max(40) });

export const confirmTotpAction = validatedAction<typeof codeSchema, { recoveryCodes: string[] }>(codeSchema, "enrolment", async (input, user) => {
  const recoveryCodes = await confirmTotpEnrolment(user, input.code, await getClientIp());
  // No revalidatePath here: a re-rendered page would replace the form that shows the recovery codes, the only
  // time they are shown. The form's "continue" link loads the page afresh.
  return { ok: true, message: "Two-factor sign-in is on.", data: { recoveryCodes } };
});

export const removeTotpAction = validatedAction(codeSchema, "viewer", async (input, user) => {
  await removeTotp(user, input.code, await getClientIp());
  revalidatePath("/dashboard/account");
  return { ok: true, message: "The authenticator app was removed, and its recovery codes with it." };
});

export const regenerateCodesAction = validatedAction<typeof codeSchema, { recoveryCodes: string[] }>(codeSchema, "viewer", async (input, user) => {
  const recoveryCodes = await regenerateRecoveryCodes(user, input.code, await getClientIp());
  return { ok: true, message: "New recovery codes: the old ones no longer work.", data: { recoveryCodes } };
});
