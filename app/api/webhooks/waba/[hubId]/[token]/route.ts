import { webhookMethodNotAllowed } from "@/lib/webhooks/ingest";
import { ingestWabaWebhook } from "@/lib/webhooks/waba-ingest";

// The WABA webhook with the hub's secret in the URL path (docs/waba-webhook.md §2.1): the same receiver.
export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ hubId: string; token: string }> }) {
  const { hubId, token } = await params;
  return ingestWabaWebhook({ hubId, pathToken: token, request });
}

export const GET = webhookMethodNotAllowed;
export const HEAD = webhookMethodNotAllowed;
export const PUT = webhookMethodNotAllowed;
export const PATCH = webhookMethodNotAllowed;
export const DELETE = webhookMethodNotAllowed;
export const OPTIONS = webhookMethodNotAllowed;
