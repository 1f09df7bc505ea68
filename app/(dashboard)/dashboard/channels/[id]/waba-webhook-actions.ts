"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requestWabaWebhook } from "@/lib/channels/waba-webhook";
import { validatedAction } from "@/lib/forms/validated-action";

export const setWabaWebhookAction = validatedAction(z.object({ channelId: z.uuid() }), "operator", async (input, actor) => {
  await requestWabaWebhook(actor, input.channelId);
  revalidatePath(`/dashboard/channels/${input.channelId}`);
  return { ok: true, message: "Setting the WABA webhook again: this page updates when 360dialog has answered." };
});
