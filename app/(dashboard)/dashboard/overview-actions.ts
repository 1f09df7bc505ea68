"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requestReconcile } from "@/lib/channels/reconcile";
import { validatedAction } from "@/lib/forms/validated-action";
import { noteRunQueued } from "@/lib/hub-config/health";

export const reconcileAction = validatedAction(z.object({ hubId: z.uuid() }), "operator", async (input, actor) => {
  const job = await requestReconcile(actor, input.hubId);
  if (job.created) await noteRunQueued({ hubId: input.hubId, kind: "reconcile", jobId: job.jobId, requestedBy: actor.email });
  revalidatePath("/dashboard");
  return { ok: true, message: job.created ? "Reconciliation queued: the hub's clients and numbers are compared with ours." : "A reconciliation for this hub is already queued." };
});
