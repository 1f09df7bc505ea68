import { z } from "zod";
import type { Hub } from "@/db/schema";

// Per-hub template settings in `hubs.settings.templates`. The scheduled sync reads the numbers whose templates
// await Meta's review (their status lags most); "Sync now" reads every number with a key. 0 turns the schedule off.

export const TEMPLATE_SETTINGS_DEFAULTS = { syncIntervalMinutes: 15 } as const;

const templateSettingsSchema = z
  .object({ syncIntervalMinutes: z.number().int().min(0).max(24 * 60).catch(TEMPLATE_SETTINGS_DEFAULTS.syncIntervalMinutes) })
  .catch({ ...TEMPLATE_SETTINGS_DEFAULTS });

export type TemplateSettings = z.infer<typeof templateSettingsSchema>;

export function templateSettingsOf(hub: Pick<Hub, "settings">): TemplateSettings {
  const raw = (hub.settings as Record<string, unknown> | null)?.templates;
  return templateSettingsSchema.parse(raw ?? { ...TEMPLATE_SETTINGS_DEFAULTS });
}
