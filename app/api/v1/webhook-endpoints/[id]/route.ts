import { apiRoute } from "@/lib/api/operation";
import { deleteWebhookEndpointOp, getWebhookEndpointOp, updateWebhookEndpointOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(getWebhookEndpointOp);
export const PATCH = apiRoute(updateWebhookEndpointOp);
export const DELETE = apiRoute(deleteWebhookEndpointOp);
