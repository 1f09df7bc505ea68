import { apiRoute } from "@/lib/api/operation";
import { createInviteOp, listInvitesOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(listInvitesOp);
export const POST = apiRoute(createInviteOp);
