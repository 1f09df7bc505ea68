"use server";

import { z } from "zod";
import { validatedAction } from "@/lib/forms/validated-action";
import { noteRunQueued } from "@/lib/hub-config/health";
import { requestTemplateSync } from "@/lib/templates/sync-now";

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const syncTemplatesAction = validatedAction(
  z.object({ channelId: z.preprocess(blank, z.uuid().optional()), hubId: z.preprocess(blank, z.uuid().optional()) }),
  "operator",
  async (input, actor) => {
    const result = await requestTemplateSync(actor, input.channelId ? { channelId: input.channelId } : { hubId: input.hubId });
    // A whole hub's sync is a run its hub shows the outcome of (docs/hub-settings.md §6).
    if (!input.channelId && input.hubId) await noteRunQueued({ hubId: input.hubId, kind: "templateSync", requestedBy: actor.email });
    return { ok: true, message: `${result.message} Statuses update here as they arrive.` };
  },
);
