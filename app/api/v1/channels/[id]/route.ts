import { apiRoute } from "@/lib/api/operation";
import { getChannelOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(getChannelOp);
