import { apiRoute } from "@/lib/api/operation";
import { getTemplateOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(getTemplateOp);
