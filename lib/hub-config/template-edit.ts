// Where a hub edits a rejected or paused template in place (docs/templates-meta.md §2.2), chosen in the hub form:
// no address is documented by 360dialog, so each hub picks one; "off" always resubmits under a proposed new name.
// Kept here, beside the hub form's other choices; lib/templates/settings.ts reads it from `hubs.settings.templates`.

export const TEMPLATE_EDIT_ADDRESSES = ["messaging_patch", "messaging_post", "partner_patch", "off"] as const;
export type TemplateEditAddress = (typeof TEMPLATE_EDIT_ADDRESSES)[number];
