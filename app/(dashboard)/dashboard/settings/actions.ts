"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { validatedAction } from "@/lib/forms/validated-action";
import { registerHubUrls, testHubConnection, type HubCheck } from "@/lib/hub-config/connection";
import { hubSettingsSchema, saveHubSettings, setHubArchived } from "@/lib/hub-config/settings";

export const saveHubAction = validatedAction(hubSettingsSchema, "admin", async (input, actor) => {
  const before = input.hubId;
  const hub = await saveHubSettings(actor, input);
  // Every save is tested at once: a hub that cannot be reached shows as failing, with the reason (docs/hub-settings.md §6).
  let check: "ok" | "failed" = "ok";
  try {
    await testHubConnection(actor, hub.id, "save");
  } catch {
    check = "failed";
  }
  revalidatePath("/dashboard/settings");
  const webhook = before && input.confirmWebhookUrlChange ? "&webhook=changed" : "";
  redirect(`/dashboard/settings?saved=${hub.id}&check=${check}${webhook}`);
});

const hubIdSchema = z.object({ hubId: z.uuid() });

export const testHubAction = validatedAction<typeof hubIdSchema, HubCheck>(hubIdSchema, "admin", async (input, actor) => {
  const check = await testHubConnection(actor, input.hubId);
  revalidatePath("/dashboard/settings");
  return { ok: true, message: "Connected: the hub answered.", data: check };
});

export const registerHubUrlsAction = validatedAction<typeof hubIdSchema, HubCheck>(hubIdSchema, "admin", async (input, actor) => {
  const check = await registerHubUrls(actor, input.hubId);
  revalidatePath("/dashboard/settings");
  return { ok: true, message: "Webhook and redirect URLs registered at the hub.", data: check };
});

const archiveSchema = z.object({ hubId: z.uuid(), archive: z.enum(["archive", "restore"]) });

export const archiveHubAction = validatedAction(archiveSchema, "admin", async (input, actor) => {
  const hub = await setHubArchived(actor, input.hubId, input.archive === "archive");
  revalidatePath("/dashboard", "layout");
  redirect(`/dashboard/settings?${input.archive === "archive" ? "archived" : "restored"}=${hub.id}`);
});
