import { apiRoute } from "@/lib/api/operation";
import { listClientsOp } from "@/lib/api/operations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(listClientsOp);
