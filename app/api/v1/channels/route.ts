import { apiRoute } from "@/lib/api/operation";
import { listChannelsOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(listChannelsOp);
