"use client";

import { useEffect, type RefObject } from "react";

export { openBlankPopup } from "./popup-open";

// What the two onboarding triggers (connect-button-trigger.tsx, popup-trigger.tsx) share: the blank window opened
// inside the click, the watch for a window the client closed, and the progress line under the button.

export type TriggerPhase =
  | { kind: "idle" }
  | { kind: "opening" }
  | { kind: "open"; focused?: boolean }
  | { kind: "blocked"; url: string }
  | { kind: "finishing" }
  | { kind: "error"; message: string };

export type ProgressStrings = { popupOpen: string; popupFocused: string; blocked: string; blockedLink: string; finishing?: string };

/** Everything a trigger says, finished in the page's language on the server (page-intl.ts connectStrings). */
export type ConnectStrings = ProgressStrings & {
  action: string;
  opening: string;
  finishing: string;
  failed: string;
  /** Refusals' words by error code (onboarding-api.ts). */
  errors: Record<string, string>;
};

/** While the window is open, notices that the client closed it without finishing, so the next click starts afresh. */
export function useWhenPopupCloses(popupRef: RefObject<Window | null>, open: boolean, onClosed: () => void): void {
  useEffect(() => {
    if (!open) return;
    const timer = setInterval(() => {
      if (popupRef.current?.closed) {
        popupRef.current = null;
        onClosed();
      }
    }, 500);
    return () => clearInterval(timer);
  }, [popupRef, open, onClosed]);
}

/** The live line under the button, the link offered when the window was blocked (same tab), and a refusal. */
export function TriggerProgress({ phase, t }: { phase: TriggerPhase; t: ProgressStrings }) {
  return (
    <>
      <div id="connect-progress" role="status" aria-live="polite" className="min-h-6 text-sm text-slate-700">
        {phase.kind === "open" ? (phase.focused ? t.popupFocused : t.popupOpen) : null}
        {phase.kind === "finishing" ? t.finishing : null}
      </div>
      {phase.kind === "blocked" ? (
        <p className="text-sm text-slate-800">
          {/* Same tab: 360dialog then returns to a page that finishes without an opener. */}
          {t.blocked}{" "}
          <a href={phase.url} referrerPolicy="no-referrer" className="font-semibold underline underline-offset-2 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-slate-900">
            {t.blockedLink}
          </a>
        </p>
      ) : null}
      {phase.kind === "error" ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {phase.message}
        </p>
      ) : null}
    </>
  );
}
