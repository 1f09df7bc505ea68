"use client";

import { liveStreamUrl } from "@/lib/live/live-client";
import type { LiveTopic } from "@/lib/live/types";
import { useLiveRefresh, type LiveStatus } from "./use-live-refresh";

const labels: Record<LiveStatus, string> = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" };
const dots: Record<LiveStatus, string> = { connecting: "bg-slate-300", live: "bg-emerald-500", reconnecting: "bg-amber-400" };

/**
 * Keeps a staff page current: listens to /api/live for the given topics (and hub) and re-renders the page when
 * one of them changes. Renders only a small status dot.
 */
export function LiveRefresh({ topics, hubId }: { topics: readonly LiveTopic[]; hubId?: string }) {
  const status = useLiveRefresh(liveStreamUrl(topics, hubId));
  return (
    <span role="status" className="inline-flex items-center gap-1.5 text-xs text-slate-500">
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${dots[status]}`} />
      {labels[status]}
    </span>
  );
}
