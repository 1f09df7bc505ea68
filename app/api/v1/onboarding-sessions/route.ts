import { apiRoute } from "@/lib/api/operation";
import { listSessionsOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(listSessionsOp);
