// 360dialog's production hosts (docs/hub-contract.md §1.1, §5.1, §6). Only defaults: every hub stores its own URLs.
export const PARTNER_API_BASE = "https://hub.360dialog.io";
export const IO_BASE_V1 = "https://hub.360dialog.com/dashboard/app";
export const IO_BASE_V2 = "https://app.360dialog.com/onboarding";
export const MESSAGING_API_BASE = "https://waba-v2.360dialog.io";
