"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { rotateWabaWebhookSecret } from "@/lib/channels/waba-webhook";
import { validatedAction } from "@/lib/forms/validated-action";

export const rotateWabaSecretAction = validatedAction(
  z.object({ hubId: z.uuid(), confirm: z.literal("on", "Tick the box to confirm that every number's WABA webhook is set again.") }),
  "admin",
  async (input, actor) => {
    const { queued } = await rotateWabaWebhookSecret(actor, input.hubId);
    revalidatePath("/dashboard/settings");
    return { ok: true, message: `New secret stored; ${queued} number(s) get their WABA webhook set again. The old secret is accepted for 7 more days.` };
  },
);
