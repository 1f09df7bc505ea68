"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { validatedAction } from "@/lib/forms/validated-action";
import { registerHubUrls, testHubConnection, type HubCheck } from "@/lib/hub-config/connection";
import { hubSettingsSchema, saveHubSettings } from "@/lib/hub-config/settings";

export const saveHubAction = validatedAction(hubSettingsSchema, "admin", async (input, actor) => {
  const hub = await saveHubSettings(actor, input);
  revalidatePath("/dashboard/settings");
  redirect(`/dashboard/settings?saved=${hub.id}`);
});

const hubIdSchema = z.object({ hubId: z.uuid() });

export const testHubAction = validatedAction<typeof hubIdSchema, HubCheck>(hubIdSchema, "admin", async (input, actor) => {
  const check = await testHubConnection(actor, input.hubId);
  return { ok: true, message: "Connected: the hub answered.", data: check };
});

export const registerHubUrlsAction = validatedAction<typeof hubIdSchema, HubCheck>(hubIdSchema, "admin", async (input, actor) => {
  const check = await registerHubUrls(actor, input.hubId);
  revalidatePath("/dashboard/settings");
  return { ok: true, message: "Webhook and redirect URLs registered at the hub.", data: check };
});
