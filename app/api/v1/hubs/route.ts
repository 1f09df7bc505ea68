import { apiRoute } from "@/lib/api/operation";
import { listHubsOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(listHubsOp);
