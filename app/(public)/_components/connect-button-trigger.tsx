"use client";

import type { ConnectButton as ConnectButtonComponent } from "360dialog-connect-button";
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import type { Locale } from "@/lib/i18n/locales";
import { HANDOFF_ACK, POPUP_NAME, isRedirectQuery, reportFunnel, startSession, type StartedSession, type StartRequest } from "./onboarding-api";
import { CONNECT_BUTTON_POPUP_FEATURES } from "./popup-open";
import { TriggerProgress, openBlankPopup, useWhenPopupCloses, type ConnectStrings, type TriggerPhase } from "./popup-window";

// The official 360dialog Connect Button, with the session made by the click, never by the page view (docs/security.md R10, R11):
// a page view takes no invite use, no IO Signature and no per-IP slot. The package builds its popup URL from its
// props and opens it when its button is clicked, so the click runs in two steps:
// 1. Synchronously, inside the user gesture (what popup blockers require), a blank window is opened under the
//    package's own window name, and the package's handler is held back.
// 2. Once the server has made the session (or handed this browser's open one back with a new state), its props
//    go to the package, and the package's own click opens its URL: `window.open(url, name)` with that name
//    navigates the blank window instead of opening another one.
// The popup comes back to the page hosting the button, which then renders the hand-off (redirect-handoff.tsx)
// instead of the button, so the package never runs while a state is in the URL.
// Only the click needs the package, so the click loads it, beside the session request and after the blank window
// is open: the page's first load carries none of it (bench/first-load). On the light pages (`/`, `/join/<token>`,
// pages/) even this component arrives with the click: their first script opens the blank window and then mounts it
// with that window as `opened` (connect-island.tsx), and it carries on from step 2.

/** The package, fetched by the first click (and kept: a second click finds it loaded). */
function loadConnectButton(): Promise<typeof ConnectButtonComponent> {
  // The package is CommonJS: esbuild's island chunk (scripts/light-islands.ts) hands its exports over as `default`.
  type Loaded = { ConnectButton?: typeof ConnectButtonComponent; default?: { ConnectButton?: typeof ConnectButtonComponent } };
  return import("360dialog-connect-button").then((module: Loaded) => {
    const component = module.ConnectButton ?? module.default?.ConnectButton;
    if (!component) throw new Error("360dialog-connect-button: no ConnectButton export");
    return component;
  });
}

export function ConnectButtonTrigger({
  start,
  lang,
  t,
  buttonClass,
  reportLanding,
  opened,
}: {
  start: Omit<StartRequest, "method" | "lang">;
  lang: Locale;
  t: ConnectStrings;
  buttonClass: string;
  /** Record `landing_viewed` with the first session (pages without an invite have nothing else to tie it to). */
  reportLanding: boolean;
  /** The click already happened and opened this window (null: blocked) before this component loaded: start at once. */
  opened?: { popup: Window | null };
}) {
  const [session, setSession] = useState<StartedSession | null>(null);
  // In an object: a component is a function, which a state setter would call as an updater.
  const [loaded, setLoaded] = useState<{ ConnectButton: typeof ConnectButtonComponent } | null>(null);
  const [phase, setPhase] = useState<TriggerPhase>(opened ? { kind: "opening" } : { kind: "idle" });
  const [openTick, setOpenTick] = useState(0);
  const popupRef = useRef<Window | null>(null);
  const holderRef = useRef<HTMLDivElement | null>(null);
  const pendingOpen = useRef(false);
  const passThrough = useRef(false);
  const landingReported = useRef(false);

  useEffect(() => {
    // The package posts `location.search` to any opener with target "*" and closes its window when it mounts in
    // a page that has one (its popup hand-off). This page is never that popup, so a page that opened this one
    // (a mail or chat web app) must not get a message or lose the tab: cut the link before the button mounts.
    if (window.opener) window.opener = null;
  }, []);

  useEffect(() => {
    // The package's own listener (added when it opens its window) takes the query and reloads this page with it;
    // this one only tells the popup that it arrived, so the popup closes instead of finishing the flow itself.
    // Only the window this page opened (docs/security.md R14): after a reload this page has no package listener, so a popup
    // opened before it gets no answer and finishes by itself.
    const onMessage = (event: MessageEvent) => {
      const popup = popupRef.current;
      if (!popup || event.source !== popup || event.origin !== window.location.origin || !isRedirectQuery(event.data)) return;
      popup.postMessage(HANDOFF_ACK, window.location.origin);
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, []);

  const reset = useCallback(() => setPhase({ kind: "idle" }), []);
  useWhenPopupCloses(popupRef, phase.kind === "open", reset);

  const props = session?.connectButton ?? null;
  // Referentially stable: the package rebuilds its URL (and re-runs its callback check) on every new object.
  const queryParameters = useMemo(() => props?.queryParameters, [props]);
  // The host page's redirect query is handled by the hand-off view, so the package's own callback has nothing to do.
  const callback = useCallback(() => {}, []);

  useEffect(() => {
    // New props: the package makes its URL builder in an effect of its own, which ran just before this one (a
    // child's effects run first) and set its state. This update joins that render, so the next effect below runs
    // once the package's button has the new URL.
    if (pendingOpen.current) setOpenTick((n) => n + 1);
  }, [session]);

  useEffect(() => {
    if (!pendingOpen.current || openTick === 0) return;
    pendingOpen.current = false;
    const button = holderRef.current?.querySelector("button");
    if (!button) return;
    // The plain button was replaced by the package's: keep the keyboard focus on the action.
    if (!document.activeElement || document.activeElement === document.body) button.focus({ preventScroll: true });
    passThrough.current = true;
    try {
      button.click();
    } finally {
      passThrough.current = false;
    }
  }, [openTick]);

  const begin = async (popup: Window | null) => {
    popupRef.current = popup;
    setPhase({ kind: "opening" });
    const [result, ConnectButton] = await Promise.all([
      startSession({ ...start, method: "connect_button", lang }, { errors: t.errors, fallback: t.failed }),
      loadConnectButton().catch(() => null),
    ]);
    if (!result.ok || !result.session.connectButton || !result.session.ioUrl || !ConnectButton) {
      popup?.close();
      popupRef.current = null;
      setPhase({ kind: "error", message: result.ok ? t.failed : result.message });
      return;
    }
    const created = result.session;
    if (reportLanding && !landingReported.current) {
      landingReported.current = true;
      reportFunnel({ kind: "landing_viewed", sessionId: created.sessionId });
    }
    if (!popup || popup.closed) {
      popupRef.current = null;
      setPhase({ kind: "blocked", url: created.ioUrl! });
      if (!popup) reportFunnel({ kind: "popup_blocked", sessionId: created.sessionId });
      return;
    }
    pendingOpen.current = true;
    setLoaded({ ConnectButton });
    setSession(created);
    setPhase({ kind: "open" });
  };

  const onClickCapture = (event: MouseEvent) => {
    if (passThrough.current) return; // our own click on the package's button, with the session's URL
    const open = popupRef.current;
    if (session && open && !open.closed) {
      // Its window is still open: the package brings it to the front (and points it at its URL if it is not there).
      setPhase({ kind: "open", focused: true });
      return;
    }
    // Nothing is opened before the server made this click's session.
    event.stopPropagation();
    event.preventDefault();
    if (phase.kind !== "opening") void begin(openBlankPopup(POPUP_NAME, CONNECT_BUTTON_POPUP_FEATURES, t.opening));
  };

  const startedWith = useRef<typeof opened>(undefined);
  useEffect(() => {
    if (!opened || startedWith.current === opened) return;
    startedWith.current = opened;
    void begin(opened.popup);
    // Once, for the click that mounted this component; `begin` reads only refs and stable props.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opened]);

  const busy = phase.kind === "opening";
  const label = busy ? t.opening : t.action;
  return (
    <div className="space-y-3">
      {/* Observes the clicks of the button inside (Enter and Space click it too); the div itself is not interactive. */}
      <div ref={holderRef} onClickCapture={onClickCapture}>
        {props && queryParameters && loaded ? (
          <loaded.ConnectButton
            partnerId={props.partnerId}
            env={props.env}
            version={props.version}
            requestedNumber={props.requestedNumber}
            queryParameters={queryParameters}
            callback={callback}
            label={label}
            className={buttonClass}
            disabled={busy}
            type="button"
            aria-describedby="connect-progress"
          />
        ) : (
          <button type="button" className={buttonClass} disabled={busy} aria-describedby="connect-progress">
            {label}
          </button>
        )}
      </div>
      <TriggerProgress phase={phase} t={t} />
    </div>
  );
}
