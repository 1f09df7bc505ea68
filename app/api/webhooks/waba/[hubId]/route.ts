import { webhookMethodNotAllowed } from "@/lib/webhooks/ingest";
import { ingestWabaWebhook } from "@/lib/webhooks/waba-ingest";

// Meta's events for one hub's WABAs, through the WABA webhook the portal sets (docs/waba-webhook.md §2).
export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ hubId: string }> }) {
  const { hubId } = await params;
  return ingestWabaWebhook({ hubId, request });
}

export const GET = webhookMethodNotAllowed;
export const HEAD = webhookMethodNotAllowed;
export const PUT = webhookMethodNotAllowed;
export const PATCH = webhookMethodNotAllowed;
export const DELETE = webhookMethodNotAllowed;
export const OPTIONS = webhookMethodNotAllowed;
