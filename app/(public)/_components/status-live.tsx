"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { REFRESH_DEBOUNCE_MS, reconnectDelayMs } from "@/lib/live/live-client";

// Keeps the client's status page current: one EventSource on this session's own stream, and a debounced
// router.refresh() (the page is server-rendered) whenever one of its rows changes.

type Status = "connecting" | "live" | "reconnecting";

export function StatusLive({ token, labels }: { token: string; labels: Record<Status, string> }) {
  const router = useRouter();
  const [status, setStatus] = useState<Status>("connecting");

  useEffect(() => {
    let source: EventSource | null = null;
    let attempt = 0;
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    const scheduleRefresh = () => {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => router.refresh(), REFRESH_DEBOUNCE_MS);
    };
    const open = () => {
      const es = new EventSource(`/api/onboarding/status/${encodeURIComponent(token)}/events`);
      source = es;
      es.onopen = () => {
        if (attempt > 0) scheduleRefresh(); // changes made while the stream was down were missed
        attempt = 0;
        setStatus("live");
      };
      es.addEventListener("change", scheduleRefresh);
      es.addEventListener("resync", scheduleRefresh);
      es.onerror = () => {
        // EventSource does not retry after an HTTP error: take over with a capped, jittered backoff.
        es.close();
        source = null;
        setStatus("reconnecting");
        reconnectTimer = setTimeout(open, reconnectDelayMs(attempt));
        attempt += 1;
      };
    };
    open();
    return () => {
      source?.close();
      clearTimeout(reconnectTimer);
      clearTimeout(refreshTimer);
    };
  }, [token, router]);

  const dot = status === "live" ? "bg-emerald-600" : status === "reconnecting" ? "bg-amber-500" : "bg-slate-400";
  return (
    <span role="status" className="inline-flex items-center gap-2 rounded-full border border-slate-200 bg-white px-3 py-1 text-xs font-medium text-slate-700">
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${dot}`} />
      {labels[status]}
    </span>
  );
}
