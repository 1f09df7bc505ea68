import { apiRoute } from "@/lib/api/operation";
import { claimApiKeyOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const POST = apiRoute(claimApiKeyOp);
