"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { reconnectDelayMs, REFRESH_DEBOUNCE_MS } from "@/lib/live/live-client";

export type LiveStatus = "connecting" | "live" | "reconnecting";

/**
 * Keeps a server-rendered page current from a server-sent event stream: a debounced router.refresh() on every
 * change or resync, one catch-up refresh whenever the stream says `ready` (the page was rendered before the
 * stream listened), none while the tab is hidden (one when shown again). The page counts as live from `ready`,
 * not from the stream's opening: the server sends `ready` only once it hears every later commit (lib/live/sse.ts),
 * so the catch-up read and the stream together miss nothing.
 */
export function useLiveRefresh(url: string): LiveStatus {
  const router = useRouter();
  const [status, setStatus] = useState<LiveStatus>("connecting");

  useEffect(() => {
    let source: EventSource | null = null;
    let attempt = 0;
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    let pendingWhileHidden = false;

    const refreshNow = () => {
      if (document.visibilityState === "hidden") pendingWhileHidden = true;
      else router.refresh();
    };
    const scheduleRefresh = () => {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(refreshNow, REFRESH_DEBOUNCE_MS);
    };
    const onVisibility = () => {
      if (document.visibilityState === "visible" && pendingWhileHidden) {
        pendingWhileHidden = false;
        scheduleRefresh();
      }
    };

    const open = () => {
      const es = new EventSource(url);
      source = es;
      es.addEventListener("ready", () => {
        // Changes published before the stream was listening were missed: between the server render and the first
        // connection, or while a dropped stream was down. Catch up once each time it is ready.
        scheduleRefresh();
        attempt = 0;
        setStatus("live");
      });
      es.addEventListener("change", scheduleRefresh);
      es.addEventListener("resync", scheduleRefresh);
      // EventSource never retries after an HTTP error (401, 5xx): take over with a capped, jittered backoff.
      es.onerror = () => {
        es.close();
        source = null;
        setStatus("reconnecting");
        reconnectTimer = setTimeout(open, reconnectDelayMs(attempt));
        attempt += 1;
      };
    };

    open();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      source?.close();
      clearTimeout(reconnectTimer);
      clearTimeout(refreshTimer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [url, router]);

  return status;
}
