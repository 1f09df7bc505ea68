// What the light client pages (`/`, `/join/<token>`: Pages Router pages without Next's client runtime,
// docs/nextjs.md §2) need to know from the database, as plain data. Next.js refuses `server-only` modules, which
// every database path here imports, anywhere in a Pages Router page's module graph; so the App Router side of the
// process loads it (light-load.ts, installed by lib/boot.ts from instrumentation.ts) and hands the functions over
// in a process slot (lib/process-slots.ts), which the pages call. This module is client-safe: types only.

/** A partner's look on the client pages: name, logo and accent colour (its onboarding settings). */
export type Brand = { name: string; logoUrl: string; accentColor: string };

export const NEUTRAL_BRAND: Brand = { name: "", logoUrl: "", accentColor: "#0b6e4c" };

/** Which onboarding trigger a client page shows: the official Connect Button or the portal's own popup. */
export type Trigger = "connect_button" | "popup";

/** `/`: first-run setup, a chooser between hubs with open sign-up, or the landing page of one (or of none). */
export type LandingData =
  | { kind: "setup" }
  | {
      kind: "chooser" | "landing";
      brand: Brand;
      /** The shown hub's default language (its onboarding settings). */
      partnerDefault: string | null;
      /** The hub the address asked for (`?hub=`), when it is the one shown: the language links keep it. */
      requestedShown: string | null;
      choices: { id: string; name: string }[];
      /** The hub whose sign-up this page starts; null: sign-up by invitation only. */
      hub: { id: string; trigger: Trigger; embeddedSignupReady: boolean } | null;
    };

/** `/join/<token>`: a link nobody issued, or an invite with what its page shows. */
export type JoinData =
  | { kind: "unknown"; brand: Brand; partnerDefault: string | null }
  | {
      kind: "invite";
      brand: Brand;
      partnerDefault: string | null;
      /** The client's language as staff chose it on the invite. */
      preferredLang: string | null;
      /** Null when the invite can start (valid, or used up by this browser's own open session); else why not. */
      refusal: string | null;
      state: string;
      permission: boolean;
      trigger: Trigger;
      embeddedSignupReady: boolean;
      prepared: { email: string | null; name: string | null; number: string | null };
    };

export type LightPageData = {
  landing(input: { requestedHub: string | undefined }): Promise<LandingData>;
  join(input: { token: string; browserBinding: string | undefined }): Promise<JoinData>;
  /** The name of the browser-binding cookie the invite reads (lib/onboarding/tokens.ts). */
  browserBindingCookie(): string;
};

declare module "../process-slots" {
  interface ProcessSlots {
    /** The light pages' data (light-load.ts), installed at boot for the Pages Router to call. */
    lightPages?: LightPageData;
  }
}
