"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { inviteFormSchema, issueInvite, type IssuedInvite } from "@/lib/dashboard/invites";
import { validatedAction } from "@/lib/forms/validated-action";
import { revokeInvite } from "@/lib/onboarding/invites";

export const createInviteAction = validatedAction<typeof inviteFormSchema, IssuedInvite>(inviteFormSchema, "operator", async (input, actor) => {
  const issued = await issueInvite(actor, input);
  revalidatePath("/dashboard/invites");
  return { ok: true, message: `Invite link created${issued.label ? ` for ${issued.label}` : ""}. Copy it now: it is shown only once.`, data: issued };
});

// The second click of "Revoke" sends confirm=yes; a request without it changes nothing.
const revokeSchema = z.object({ inviteId: z.uuid(), confirm: z.literal("yes", "Confirm the revocation first.") });

export const revokeInviteAction = validatedAction(revokeSchema, "operator", async (input, actor) => {
  await revokeInvite(actor, input.inviteId);
  revalidatePath("/dashboard/invites");
  revalidatePath(`/dashboard/invites/${input.inviteId}`);
  return { ok: true, message: "Invite revoked: the link no longer works." };
});
