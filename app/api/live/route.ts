import { requireRole } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { liveChangeFilter, liveStreamResponse, parseLiveQuery } from "@/lib/live/sse";

export const dynamic = "force-dynamic";

/** Live changes for signed-in staff, as server-sent events (see lib/live/sse.ts). */
export async function GET(request: Request) {
  try {
    await requireRole("viewer");
  } catch (error) {
    if (!isAppError(error)) throw error;
    return Response.json({ error: error.code, message: error.publicMessage }, { status: error.status, headers: { "Cache-Control": "no-store" } });
  }
  const query = parseLiveQuery(new URL(request.url).searchParams);
  if (!query.success) {
    return Response.json({ error: "invalid", message: "Unknown topic or hub." }, { status: 400, headers: { "Cache-Control": "no-store" } });
  }
  return liveStreamResponse({
    signal: request.signal,
    filter: liveChangeFilter(query.data),
    // R22: a user disabled or demoted while the stream is open loses it within a minute.
    recheck: () => requireRole("viewer").then(() => true),
  });
}
