"use server";

import { addManualChannel, manualChannelSchema } from "@/lib/channels/manual";
import { validatedAction } from "@/lib/forms/validated-action";

export const addManualChannelAction = validatedAction(manualChannelSchema, "operator", async (input, actor) => {
  const { channelId } = await addManualChannel(actor, input);
  return { ok: true, message: "Number added: its key was accepted by 360dialog and is stored encrypted.", data: { channelId } };
});
