import { apiRoute } from "@/lib/api/operation";
import { getClientOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(getClientOp);
