import type { ConnectConfig } from "./connect-trigger";
import { POPUP_NAME, reportFunnel } from "./onboarding-api";
import { CONNECT_BUTTON_POPUP_FEATURES, PORTAL_POPUP_FEATURES, openBlankPopup } from "./popup-open";

// The only script `/` and `/join/<token>` load with the page (docs/nextjs.md §2): no React, no Next.js runtime.
// The page view itself starts nothing (docs/security.md R10, R11): it reports an invite's `landing_viewed`, as the
// invite page always did. The click, inside the user gesture as popup blockers require, opens the blank popup under
// the name the official package uses, then fetches the island (connect-island.tsx: React, the trigger and the
// package), which takes over the action and continues with that popup: the session request, the package's props,
// its own click navigating the popup. Until the island is there, further clicks do nothing.

const ISLAND = "[data-connect-island]";

function configOf(container: HTMLElement): ConnectConfig | null {
  try {
    return JSON.parse(container.dataset.config ?? "") as ConnectConfig;
  } catch {
    return null;
  }
}

/** The island could not be fetched (offline, a new deployment): the popup closes and the action says so. */
function showFailure(container: HTMLElement, button: HTMLButtonElement, config: ConnectConfig): void {
  button.disabled = false;
  button.textContent = config.strings.action;
  const alert = document.createElement("p");
  alert.setAttribute("role", "alert");
  alert.className = "rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800";
  alert.textContent = config.strings.failed;
  container.querySelector("[role=alert]")?.remove();
  container.firstElementChild?.append(alert);
}

function setUp(container: HTMLElement): void {
  const config = configOf(container);
  if (!config) return;
  // The package posts `location.search` to any opener and closes its window when it mounts in a page that has one
  // (connect-button-trigger.tsx): a page that opened this one (a mail or chat web app) must not get a message or
  // lose the tab.
  if (config.trigger === "connect_button" && window.opener) window.opener = null;
  if (config.reportInviteLanding) reportFunnel({ kind: "landing_viewed", inviteToken: config.reportInviteLanding });

  // Fetching the island is not starting anything (no session, no popup): begin when the user is about to click, so
  // the click finds it loaded or on its way (fetched by the click alone, it made the popup ~180 ms slower; bench/README.md, "First-load JavaScript").
  const warm = () => void import("./connect-island").catch(() => undefined);
  for (const type of ["pointerover", "focusin", "touchstart"]) container.addEventListener(type, warm, { once: true, passive: true });

  let state: "idle" | "loading" | "mounted" = "idle";
  const onClick = (event: MouseEvent) => {
    if (state === "mounted") return; // the island's own handlers
    const button = event.target instanceof Element ? event.target.closest("button") : null;
    if (!button || !container.contains(button)) return;
    event.preventDefault();
    event.stopPropagation();
    if (state === "loading") return;
    state = "loading";
    const features = config.trigger === "connect_button" ? CONNECT_BUTTON_POPUP_FEATURES : PORTAL_POPUP_FEATURES;
    const popup = openBlankPopup(POPUP_NAME, features, config.strings.opening);
    button.disabled = true;
    button.textContent = config.strings.opening;
    import("./connect-island").then(
      ({ mountConnectIsland }) => {
        state = "mounted";
        container.removeEventListener("click", onClick, true);
        mountConnectIsland(container, config, popup);
      },
      () => {
        state = "idle";
        popup?.close();
        showFailure(container, button, config);
      },
    );
  };
  container.addEventListener("click", onClick, true);
}

for (const container of document.querySelectorAll<HTMLElement>(ISLAND)) setUp(container);
