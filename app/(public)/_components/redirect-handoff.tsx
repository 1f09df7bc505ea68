"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { HANDOFF_ACK, completeRedirect } from "./onboarding-api";

// The end of a 360dialog visit: the redirect page (custom popup, direct links) and the Connect Button's host
// pages (`/`, `/join/<token>`) when they come back with `?client=…&channels=…&state=…`. In a popup the query goes
// to the opener, addressed to our own origin only (docs/security.md R14), and the window closes; without an opener of ours this
// page finishes the flow itself. Either way the query leaves the address bar first (docs/security.md R16). An opener that got
// the query answers; one that does not within a few seconds (reloaded, navigated) leaves the flow to this page.

const ACK_TIMEOUT_MS = 3_000;

export type HandoffStrings = { working: string; handedOver: string; errorTitle: string; network: string; retry: string; errors: Record<string, string> };

type Phase = { kind: "working" } | { kind: "handed" } | { kind: "error"; message: string; retryQuery: string | null };

/** The opener, if it is a page of this very origin that is still open; null for none, closed or foreign. */
function ownOpener(): Window | null {
  const opener = window.opener as Window | null;
  if (!opener || opener.closed) return null;
  try {
    return opener.location.origin === window.location.origin ? opener : null;
  } catch {
    return null; // cross-origin: reading its location throws
  }
}

export function RedirectHandoff({ t }: { t: HandoffStrings }) {
  const query = useRef<string | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: "working" });

  const finish = useCallback(
    (search: string) =>
      void completeRedirect(search, { errors: t.errors, fallback: t.network }).then((result) => {
        // replace: Back must not lead to this page again (its query is gone anyway).
        if (result.ok) window.location.replace(result.statusUrl);
        else setPhase({ kind: "error", message: result.message, retryQuery: result.network ? search : null });
      }),
    [t.errors, t.network],
  );

  useEffect(() => {
    if (query.current !== null) return;
    const search = window.location.search;
    query.current = search;
    window.history.replaceState(null, "", window.location.pathname);
    const opener = ownOpener();
    if (opener) {
      const onAck = (event: MessageEvent) => {
        if (event.source !== opener || event.origin !== window.location.origin || event.data !== HANDOFF_ACK) return;
        clearTimeout(timer);
        window.removeEventListener("message", onAck);
        setPhase({ kind: "handed" });
        window.close();
      };
      const timer = setTimeout(() => {
        window.removeEventListener("message", onAck);
        finish(search);
      }, ACK_TIMEOUT_MS);
      window.addEventListener("message", onAck);
      opener.postMessage(search, window.location.origin);
      return;
    }
    finish(search);
  }, [finish]);

  if (phase.kind === "error") {
    return (
      <div className="space-y-4">
        <h2 className="text-lg font-semibold">{t.errorTitle}</h2>
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          {phase.message}
        </p>
        {phase.retryQuery ? (
          <button
            type="button"
            onClick={() => {
              const search = phase.retryQuery ?? "";
              setPhase({ kind: "working" });
              finish(search);
            }}
            className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-900 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-slate-900"
          >
            {t.retry}
          </button>
        ) : null}
      </div>
    );
  }
  return (
    <p role="status" aria-live="polite" className="text-slate-700">
      {phase.kind === "handed" ? t.handedOver : t.working}
    </p>
  );
}
