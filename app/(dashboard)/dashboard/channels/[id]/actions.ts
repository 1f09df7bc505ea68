"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { regenerateApiKey, retryKeyProvision } from "@/lib/channels/api-keys";
import { resolveRestriction } from "@/lib/channels/restriction";
import { validatedAction } from "@/lib/forms/validated-action";
import { replayJob } from "@/lib/jobs/admin";

const channel = z.object({ channelId: z.uuid() });

export const regenerateKeyAction = validatedAction(
  channel.extend({ confirm: z.literal("on", "Tick the box to confirm that the current key stops working.") }),
  "admin",
  async (input, actor) => {
    await regenerateApiKey({ ...actor, role: actor.role }, input.channelId, { confirm: true });
    revalidatePath(`/dashboard/channels/${input.channelId}`);
    return { ok: true, message: "A new key is being generated. The old key stops working as soon as it exists." };
  },
);

export const retryKeyAction = validatedAction(channel, "operator", async (input, actor) => {
  await retryKeyProvision(actor, input.channelId);
  revalidatePath(`/dashboard/channels/${input.channelId}`);
  return { ok: true, message: "Key generation runs again now." };
});

export const resolveRestrictionAction = validatedAction(channel, "operator", async (input, actor) => {
  await resolveRestriction(actor, input.channelId);
  revalidatePath(`/dashboard/channels/${input.channelId}`);
  revalidatePath("/dashboard");
  return { ok: true, message: "Marked resolved." };
});

export const replayJobAction = validatedAction(channel.extend({ jobId: z.uuid() }), "operator", async (input, actor) => {
  await replayJob(actor, input.jobId);
  revalidatePath(`/dashboard/channels/${input.channelId}`);
  revalidatePath("/dashboard");
  return { ok: true, message: "The job runs again." };
});
