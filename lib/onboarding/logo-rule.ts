/**
 * The words the logo field's help and its refusal share, so they can never disagree. Plain: the settings form
 * (a client component) shows it as help, lib/onboarding/settings.ts as the error.
 */
export const LOGO_URL_RULE = "A full https:// address of an image (http:// only for localhost)";
