import { apiRoute } from "@/lib/api/operation";
import { createWebhookEndpointOp, listWebhookEndpointsOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(listWebhookEndpointsOp);
export const POST = apiRoute(createWebhookEndpointOp);
