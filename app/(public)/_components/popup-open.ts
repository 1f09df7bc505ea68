// Opening the onboarding popup, without React: the light pages' first script (connect-loader.ts) runs it on the
// click before anything else has loaded, and the triggers (popup-window.tsx) use the same function.

/** The window the official package opens (its open-popup.js), so the blank one opened on the click is the one it navigates. */
export const CONNECT_BUTTON_POPUP_FEATURES = "toolbar=no, menubar=no, width=600, height=920, top=100, left=100";

/** The portal's own popup (popup-trigger.tsx). */
export const PORTAL_POPUP_FEATURES = "popup=yes,width=620,height=860,top=60,left=80";

/**
 * Opens a blank window under `name`, synchronously: it must run inside the click, since a window opened after an
 * await is what popup blockers refuse. Null when the browser blocked it.
 */
export function openBlankPopup(name: string, features: string, opening: string): Window | null {
  const popup = window.open("", name, features);
  if (popup) {
    try {
      popup.document.title = opening;
      popup.document.body.textContent = opening;
    } catch {
      // A window of that name left on 360dialog's site by an earlier visit: the caller points it at the new URL.
    }
  }
  return popup;
}

