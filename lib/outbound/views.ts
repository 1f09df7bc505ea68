import "server-only";
import { listDeliveryLog, listEndpoints, type DeliveryLogRow } from "@/db/queries/outbound";
import type { WebhookEndpoint } from "@/db/schema";
import { getDb } from "../db";
import { requireEndpoint } from "./endpoints";

// What Settings → Webhooks reads (app must not import db).

export async function loadEndpoints(): Promise<WebhookEndpoint[]> {
  return listEndpoints({ db: await getDb(), limit: 500 });
}

export async function loadEndpointWithLog(id: string, limit = 100): Promise<{ endpoint: WebhookEndpoint; log: DeliveryLogRow[] }> {
  const db = await getDb();
  const endpoint = await requireEndpoint(db, id);
  return { endpoint, log: await listDeliveryLog({ db, endpointId: id, limit }) };
}
