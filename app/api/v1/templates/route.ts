import { apiRoute } from "@/lib/api/operation";
import { createTemplateOp, listTemplatesOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(listTemplatesOp);
export const POST = apiRoute(createTemplateOp);
