import { apiRoute } from "@/lib/api/operation";
import { getSessionOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(getSessionOp);
