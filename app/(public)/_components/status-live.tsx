"use client";

import { useLiveRefresh, type LiveStatus } from "@/app/_components/use-live-refresh";

// Keeps the client's status page current from this session's own stream (only its own rows, by token).
export function StatusLive({ token, labels }: { token: string; labels: Record<LiveStatus, string> }) {
  const status = useLiveRefresh(`/api/onboarding/status/${encodeURIComponent(token)}/events`);
  const dot = status === "live" ? "bg-emerald-600" : status === "reconnecting" ? "bg-amber-500" : "bg-slate-400";
  return (
    <span role="status" className="inline-flex items-center gap-2 rounded-full border border-slate-200 bg-white px-3 py-1 text-xs font-medium text-slate-700">
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${dot}`} />
      {labels[status]}
    </span>
  );
}
