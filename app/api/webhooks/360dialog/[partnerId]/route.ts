import { ingestWebhook, webhookMethodNotAllowed } from "@/lib/webhooks/ingest";

export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ partnerId: string }> }) {
  const { partnerId } = await params;
  return ingestWebhook({ partnerId, request });
}

// Next.js answers other methods 405 without an Allow header; OPTIONS would even get a 204.
export const GET = webhookMethodNotAllowed;
export const HEAD = webhookMethodNotAllowed;
export const PUT = webhookMethodNotAllowed;
export const PATCH = webhookMethodNotAllowed;
export const DELETE = webhookMethodNotAllowed;
export const OPTIONS = webhookMethodNotAllowed;
