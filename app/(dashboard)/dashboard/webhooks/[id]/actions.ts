"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { validatedAction } from "@/lib/forms/validated-action";
import { replayWebhookEvent } from "@/lib/webhooks/replay";

const schema = z.object({ id: z.uuid() });

export const replayAction = validatedAction(schema, "operator", async (input, actor) => {
  await replayWebhookEvent(actor, input.id);
  revalidatePath(`/dashboard/webhooks/${input.id}`);
  return { ok: true, message: "Queued for processing again." };
});
