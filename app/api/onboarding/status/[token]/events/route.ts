import { handleStatusEvents } from "@/lib/onboarding/routes";

export const dynamic = "force-dynamic";

/** Live updates of one client status page (server-sent events), authorised by its status token. */
export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  return handleStatusEvents(request, (await params).token);
}
