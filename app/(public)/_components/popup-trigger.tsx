"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { Lang } from "@/lib/onboarding/prefill";
import { HANDOFF_ACK, POPUP_NAME, completeRedirect, isRedirectQuery, reportFunnel, startSession, type StartRequest } from "./onboarding-api";

// The portal's own popup (custom IO, issue item 3): opened blank and synchronously on the click, so no popup
// blocker bites, then pointed at the 360dialog URL of a session made for this click. The redirect page in the
// popup hands the query back with postMessage; only that popup's message is taken (R14).

export type PopupStrings = {
  action: string;
  opening: string;
  popupOpen: string;
  popupFocused: string;
  blocked: string;
  blockedLink: string;
  finishing: string;
  failed: string;
};

const POPUP_FEATURES = "popup=yes,width=620,height=860,top=60,left=80";

type Phase = { kind: "idle" } | { kind: "opening" } | { kind: "open"; focused?: boolean } | { kind: "blocked"; url: string } | { kind: "finishing" } | { kind: "error"; message: string };

export function PopupTrigger({
  start,
  lang,
  label,
  t,
  buttonClass,
  reportLandingWithSession,
}: {
  start: Omit<StartRequest, "method" | "lang" | "returnPath">;
  lang: Lang;
  label: string;
  t: PopupStrings;
  buttonClass: string;
  /** Anonymous visitors have no session before the click: the landing view is then recorded with the first one. */
  reportLandingWithSession: boolean;
}) {
  const popupRef = useRef<Window | null>(null);
  const landingReported = useRef(false);
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });

  const finish = useCallback(
    async (query: string) => {
      setPhase({ kind: "finishing" });
      const result = await completeRedirect(query, lang, t.failed);
      if (result.ok) window.location.assign(result.statusUrl);
      else setPhase({ kind: "error", message: result.message });
    },
    [lang, t.failed],
  );

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      // R14: our own origin, from the very window we opened, carrying a query string; everything else is ignored.
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

  useEffect(() => {
    if (phase.kind !== "open") return;
    // The client closed the window without finishing: the next click starts afresh.
    const timer = setInterval(() => {
      if (popupRef.current?.closed) {
        popupRef.current = null;
        setPhase({ kind: "idle" });
      }
    }, 500);
    return () => clearInterval(timer);
  }, [phase.kind]);

  const onClick = async () => {
    const open = popupRef.current;
    if (open && !open.closed) {
      open.focus();
      setPhase({ kind: "open", focused: true });
      return;
    }
    // Synchronously, inside the click: a window opened after an await is what popup blockers refuse.
    const popup = window.open("", POPUP_NAME, POPUP_FEATURES);
    popupRef.current = popup;
    setPhase({ kind: "opening" });
    if (popup) {
      try {
        popup.document.title = t.opening;
        popup.document.body.textContent = t.opening;
      } catch {
        // A window of that name left on 360dialog's site by an earlier visit: it is pointed at the new URL below.
      }
    }
    const result = await startSession({ ...start, method: "popup", lang }, t.failed);
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

  const busy = phase.kind === "opening" || phase.kind === "finishing";
  return (
    <div className="space-y-3">
      <button type="button" className={buttonClass} onClick={() => void onClick()} disabled={busy} aria-describedby="connect-progress">
        {phase.kind === "opening" ? t.opening : label}
      </button>
      <div id="connect-progress" role="status" aria-live="polite" className="min-h-6 text-sm text-slate-700">
        {phase.kind === "open" ? (phase.focused ? t.popupFocused : t.popupOpen) : null}
        {phase.kind === "finishing" ? t.finishing : null}
      </div>
      {phase.kind === "blocked" ? (
        <p className="text-sm text-slate-800">
          {t.blocked}{" "}
          {/* Same tab: the redirect page then finishes without an opener. */}
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
    </div>
  );
}
