"use server";

import { z } from "zod";
import { validatedAction } from "@/lib/forms/validated-action";
import { requestTemplateSync } from "@/lib/templates/sync-now";

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const syncTemplatesAction = validatedAction(
  z.object({ channelId: z.preprocess(blank, z.uuid().optional()), hubId: z.preprocess(blank, z.uuid().optional()) }),
  "operator",
  async (input, actor) => {
    const result = await requestTemplateSync(actor, input.channelId ? { channelId: input.channelId } : { hubId: input.hubId });
    return { ok: true, message: `${result.message} Statuses update here as they arrive.` };
  },
);
