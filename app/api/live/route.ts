import { requireRole } from "@/lib/auth/session";
import { errorResponse, refusal } from "@/lib/http/error-response";
import { liveChangeFilter, liveStreamResponse, parseLiveQuery } from "@/lib/live/sse";
import { holdAtLiveGate, liveTestGate } from "@/lib/live/test-gate";

export const dynamic = "force-dynamic";

/** Live changes for signed-in staff, as server-sent events (see lib/live/sse.ts). */
export async function GET(request: Request) {
  try {
    await requireRole("viewer");
  } catch (error) {
    return errorResponse(error, { where: "live" });
  }
  const query = parseLiveQuery(new URL(request.url).searchParams);
  if (!query.success) return refusal("invalid", "Unknown topic or hub.");
  await holdAtLiveGate(request, "connect");
  return liveStreamResponse({
    testGate: liveTestGate(request),
    signal: request.signal,
    filter: liveChangeFilter(query.data),
    // docs/security.md R22: a user disabled or demoted while the stream is open loses it within a minute.
    recheck: () => requireRole("viewer").then(() => true),
  });
}
