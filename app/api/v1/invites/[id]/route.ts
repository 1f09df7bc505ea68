import { apiRoute } from "@/lib/api/operation";
import { getInviteOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(getInviteOp);
