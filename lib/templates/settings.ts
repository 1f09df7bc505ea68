import { z } from "zod";
import type { Hub } from "@/db/schema";
import { TEMPLATE_EDIT_ADDRESSES, type TemplateEditAddress } from "../hub-config/template-edit";

// Per-hub template settings in `hubs.settings.templates`. The scheduled sync reads the numbers whose templates
// await Meta's review (their status lags most); "Sync now" reads every number with a key. 0 turns the schedule off.
// `editAddress` is where a rejected or paused template is edited in place (docs/templates-meta.md §2.2): no
// address is documented, so each hub chooses; "off" always resubmits under a proposed new name.

export { TEMPLATE_EDIT_ADDRESSES, type TemplateEditAddress };

export const TEMPLATE_SETTINGS_DEFAULTS = { syncIntervalMinutes: 15, editAddress: "messaging_patch" } as const satisfies { syncIntervalMinutes: number; editAddress: TemplateEditAddress };

const templateSettingsSchema = z
  .object({
    syncIntervalMinutes: z.number().int().min(0).max(24 * 60).catch(TEMPLATE_SETTINGS_DEFAULTS.syncIntervalMinutes),
    editAddress: z.enum(TEMPLATE_EDIT_ADDRESSES).catch(TEMPLATE_SETTINGS_DEFAULTS.editAddress),
  })
  .catch({ ...TEMPLATE_SETTINGS_DEFAULTS });

export type TemplateSettings = z.infer<typeof templateSettingsSchema>;

export function templateSettingsOf(hub: Pick<Hub, "settings">): TemplateSettings {
  const raw = (hub.settings as Record<string, unknown> | null)?.templates;
  return templateSettingsSchema.parse(raw ?? { ...TEMPLATE_SETTINGS_DEFAULTS });
}
