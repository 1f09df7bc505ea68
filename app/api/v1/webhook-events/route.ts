import { apiRoute } from "@/lib/api/operation";
import { listWebhookEventsOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(listWebhookEventsOp);
