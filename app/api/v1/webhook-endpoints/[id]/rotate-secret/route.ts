import { apiRoute } from "@/lib/api/operation";
import { rotateWebhookSecretOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const POST = apiRoute(rotateWebhookSecretOp);
