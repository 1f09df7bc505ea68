import { z } from "zod";
import type { Hub } from "@/db/schema";

// Per hub (`hubs.settings.wabaWebhook`): where the WABA webhook's secret travels (docs/waba-webhook.md §2.1).
// "url": in the URL path and in the header (the default: works whether or not 360dialog forwards custom headers);
// "header": only in the `x-portal-waba-secret` header, for a partner who keeps secrets out of URLs and has seen
// 360dialog forward the header. The receiver accepts either way whatever the setting says.

export const WABA_SECRET_IN = ["url", "header"] as const;
export type WabaSecretIn = (typeof WABA_SECRET_IN)[number];
export const WABA_WEBHOOK_SETTINGS_DEFAULTS = { secretIn: "url" } as const satisfies { secretIn: WabaSecretIn };

const schema = z.object({ secretIn: z.enum(WABA_SECRET_IN).catch(WABA_WEBHOOK_SETTINGS_DEFAULTS.secretIn) }).catch({ ...WABA_WEBHOOK_SETTINGS_DEFAULTS });

export function wabaWebhookSettingsOf(hub: Pick<Hub, "settings">): { secretIn: WabaSecretIn } {
  const raw = (hub.settings as Record<string, unknown> | null)?.wabaWebhook;
  return schema.parse(raw ?? { ...WABA_WEBHOOK_SETTINGS_DEFAULTS });
}
