import { apiRoute } from "@/lib/api/operation";
import { getWebhookEventOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(getWebhookEventOp);
