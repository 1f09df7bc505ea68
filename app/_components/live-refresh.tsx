"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { liveStreamUrl, reconnectDelayMs, REFRESH_DEBOUNCE_MS } from "@/lib/live/live-client";
import type { LiveTopic } from "@/lib/live/types";

type Status = "connecting" | "live" | "reconnecting";

const labels: Record<Status, string> = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" };
const dots: Record<Status, string> = { connecting: "bg-slate-300", live: "bg-emerald-500", reconnecting: "bg-amber-400" };

/**
 * Keeps the server-rendered page current: listens to /api/live for the given topics (and hub) and re-renders
 * the page (router.refresh) when one of them changes. Renders only a small status dot.
 */
export function LiveRefresh({ topics, hubId }: { topics: readonly LiveTopic[]; hubId?: string }) {
  const router = useRouter();
  const [status, setStatus] = useState<Status>("connecting");
  const url = liveStreamUrl(topics, hubId);

  useEffect(() => {
    let source: EventSource | null = null;
    let attempt = 0;
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    let pendingWhileHidden = false;

    const refreshNow = () => {
      // A hidden tab refreshes once when it is shown again, not on every change while nobody looks.
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
      es.onopen = () => {
        // Changes made while the stream was down were missed: catch up once.
        if (attempt > 0) scheduleRefresh();
        attempt = 0;
        setStatus("live");
      };
      es.addEventListener("change", scheduleRefresh);
      es.addEventListener("resync", scheduleRefresh);
      // EventSource retries on its own only sometimes (never after a 401 or 5xx): take over with a capped backoff.
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

  return (
    <span role="status" className="inline-flex items-center gap-1.5 text-xs text-slate-500">
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${dots[status]}`} />
      {labels[status]}
    </span>
  );
}
