import { apiRoute } from "@/lib/api/operation";
import { revokeInviteOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const POST = apiRoute(revokeInviteOp);
