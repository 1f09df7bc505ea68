"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { Locale } from "@/lib/i18n/locales";
import { HANDOFF_ACK, POPUP_NAME, completeRedirect, isRedirectQuery, reportFunnel, startSession, type StartRequest } from "./onboarding-api";
import { PORTAL_POPUP_FEATURES } from "./popup-open";
import { TriggerProgress, openBlankPopup, useWhenPopupCloses, type ConnectStrings, type TriggerPhase } from "./popup-window";

// The portal's own popup (custom IO, docs/hub-contract.md §1): opened blank and synchronously on the click, so no popup
// blocker bites, then pointed at the 360dialog URL of a session made for this click. The redirect page in the
// popup hands the query back with postMessage; only that popup's message is taken (docs/security.md R14).

export function PopupTrigger({
  start,
  lang,
  label,
  t,
  buttonClass,
  reportLandingWithSession,
  opened,
}: {
  start: Omit<StartRequest, "method" | "lang" | "returnPath">;
  lang: Locale;
  label: string;
  t: ConnectStrings;
  buttonClass: string;
  /** Anonymous visitors have no session before the click: the landing view is then recorded with the first one. */
  reportLandingWithSession: boolean;
  /** The click already happened and opened this window (null: blocked) before this component loaded (connect-island.tsx). */
  opened?: { popup: Window | null };
}) {
  const popupRef = useRef<Window | null>(null);
  const landingReported = useRef(false);
  const [phase, setPhase] = useState<TriggerPhase>(opened ? { kind: "opening" } : { kind: "idle" });

  const finish = useCallback(
    async (query: string) => {
      setPhase({ kind: "finishing" });
      const result = await completeRedirect(query, { errors: t.errors, fallback: t.failed });
      if (result.ok) window.location.assign(result.statusUrl);
      else setPhase({ kind: "error", message: result.message });
    },
    [t.errors, t.failed],
  );

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      // docs/security.md R14: our own origin, from the very window we opened, carrying a query string; everything else is ignored.
      const popup = popupRef.current;
      if (!popup || event.source !== popup || event.origin !== window.location.origin) return;
      if (!isRedirectQuery(event.data)) return;
      popupRef.current = null;
      popup.postMessage(HANDOFF_ACK, window.location.origin);
      void finish(event.data);
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, [finish]);

  const reset = useCallback(() => setPhase({ kind: "idle" }), []);
  useWhenPopupCloses(popupRef, phase.kind === "open", reset);

  const onClick = async () => {
    const open = popupRef.current;
    if (open && !open.closed) {
      open.focus();
      setPhase({ kind: "open", focused: true });
      return;
    }
    await begin(openBlankPopup(POPUP_NAME, PORTAL_POPUP_FEATURES, t.opening));
  };

  const begin = async (popup: Window | null) => {
    popupRef.current = popup;
    setPhase({ kind: "opening" });
    const result = await startSession({ ...start, method: "popup", lang }, { errors: t.errors, fallback: t.failed });
    if (!result.ok) {
      popup?.close();
      popupRef.current = null;
      setPhase({ kind: "error", message: result.message });
      return;
    }
    const { session } = result;
    if (reportLandingWithSession && !landingReported.current) {
      landingReported.current = true;
      reportFunnel({ kind: "landing_viewed", sessionId: session.sessionId });
    }
    if (!session.ioUrl) {
      popup?.close();
      popupRef.current = null;
      setPhase({ kind: "error", message: t.failed });
      return;
    }
    if (!popup || popup.closed) {
      popupRef.current = null;
      setPhase({ kind: "blocked", url: session.ioUrl });
      if (!popup) reportFunnel({ kind: "popup_blocked", sessionId: session.sessionId });
      return;
    }
    popup.location.href = session.ioUrl;
    popup.focus();
    setPhase({ kind: "open" });
  };

  const startedWith = useRef<typeof opened>(undefined);
  useEffect(() => {
    if (!opened || startedWith.current === opened) return;
    startedWith.current = opened;
    void begin(opened.popup);
    // Once, for the click that mounted this component; `begin` reads only refs and stable props.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opened]);

  const busy = phase.kind === "opening" || phase.kind === "finishing";
  return (
    <div className="space-y-3">
      <button type="button" className={buttonClass} onClick={() => void onClick()} disabled={busy} aria-describedby="connect-progress">
        {phase.kind === "opening" ? t.opening : label}
      </button>
      <TriggerProgress phase={phase} t={t} />
    </div>
  );
}
