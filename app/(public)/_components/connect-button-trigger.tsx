"use client";

import { ConnectButton } from "360dialog-connect-button";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Lang } from "@/lib/onboarding/prefill";
import { HANDOFF_ACK, POPUP_NAME, isRedirectQuery, reportFunnel, startSession, type StartedSession, type StartRequest } from "./onboarding-api";

// The official 360dialog Connect Button. The package builds its popup URL when its props change, so the session
// (state, and the IO Signature when the hub has it on) is made BEFORE the click and made again right after each
// click: no signature or state is ever opened twice (R10, R11). The popup comes back to the page hosting the
// button; that page then renders the hand-off (redirect-handoff.tsx) instead of the button, so the package
// never runs while a state is in the URL.

export type ConnectButtonStrings = { action: string; preparing: string; failed: string; retry: string };

export function ConnectButtonTrigger({
  start,
  lang,
  t,
  buttonClass,
  reportLanding,
}: {
  start: Omit<StartRequest, "method" | "lang">;
  lang: Lang;
  t: ConnectButtonStrings;
  buttonClass: string;
  /** Record `landing_viewed` with the first session (pages without an invite have nothing else to tie it to). */
  reportLanding: boolean;
}) {
  const [session, setSession] = useState<StartedSession | null>(null);
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const landingReported = useRef(false);
  const startKey = JSON.stringify(start);

  const request = useCallback(
    () => startSession({ ...(JSON.parse(startKey) as typeof start), method: "connect_button", lang }, t.failed),
    [startKey, lang, t.failed],
  );
  const apply = useCallback(
    (result: Awaited<ReturnType<typeof startSession>>) => {
      if (!result.ok) {
        setSession(null);
        setError(result.message);
        setBusy(false);
        return;
      }
      if (reportLanding && !landingReported.current) {
        landingReported.current = true;
        reportFunnel({ kind: "landing_viewed", sessionId: result.session.sessionId });
      }
      setError(null);
      setSession(result.session);
      setBusy(false);
    },
    [reportLanding],
  );
  // Callers set `busy` first: the button must be disabled before the click's URL could be opened twice.
  const prepare = useCallback(() => void request().then(apply), [request, apply]);

  useEffect(() => {
    // The package posts `location.search` to any opener with target "*" and closes its window when it mounts in
    // a page that has one (its popup hand-off). This page is never that popup, so a page that opened this one
    // (a mail or chat web app) must not get a message or lose the tab: cut the link before the button mounts.
    if (window.opener) window.opener = null;
    void request().then(apply);
  }, [request, apply]);

  useEffect(() => {
    // The package's own listener takes the query (and reloads this page with it); this one only tells the popup
    // that it arrived, so the popup closes instead of finishing the flow itself.
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== window.location.origin || !isRedirectQuery(event.data)) return;
      const source = event.source as Window | null;
      try {
        if (source && source !== window && source.name === POPUP_NAME) source.postMessage(HANDOFF_ACK, window.location.origin);
      } catch {
        // not a window of ours
      }
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, []);

  const props = session?.connectButton ?? null;
  // Referentially stable: the package rebuilds its URL (and re-runs its callback check) on every new object.
  const queryParameters = useMemo(() => props?.queryParameters, [props]);
  // The host page's redirect query is handled by the hand-off view, so the package's own callback has nothing to do.
  const callback = useCallback(() => {}, []);

  const afterClick = () => {
    // Runs after the package opened its popup with the current URL (bubbling): replace that URL at once.
    if (busy || !session) return;
    setBusy(true);
    prepare();
  };

  if (error) {
    return (
      <div className="space-y-3">
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
        <button
          type="button"
          className={buttonClass}
          onClick={() => {
            setError(null);
            setBusy(true);
            prepare();
          }}
        >
          {t.retry}
        </button>
      </div>
    );
  }
  if (!props || !queryParameters) {
    return (
      <button type="button" className={buttonClass} disabled aria-describedby="connect-preparing">
        {t.action}
        <span id="connect-preparing" className="sr-only">
          {t.preparing}
        </span>
      </button>
    );
  }
  return (
    // Observes the package's own button click (Enter and Space click it too); the div itself is not interactive.
    <div onClick={afterClick}>
      <ConnectButton
        partnerId={props.partnerId}
        env={props.env}
        version={props.version}
        requestedNumber={props.requestedNumber}
        queryParameters={queryParameters}
        callback={callback}
        label={t.action}
        className={buttonClass}
        disabled={busy}
        type="button"
      />
    </div>
  );
}
