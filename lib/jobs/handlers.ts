import "server-only";
import { apiKeyProvisionHandler, hubReconcileHandler, webhookProcessHandler } from "../channels/handlers";
import { hubTemplateSyncHandler, templateSyncHandler } from "../templates/handlers";
import type { JobHandlers } from "./types";

/** Every job kind and the feature code that does it; the runner (in-process or `npm run worker`) uses this map. */
export const jobHandlers: JobHandlers = {
  "webhook.process": webhookProcessHandler,
  "api_key.provision": apiKeyProvisionHandler,
  "hub.reconcile": hubReconcileHandler,
  "template.sync": templateSyncHandler,
  "hub.template_sync": hubTemplateSyncHandler,
};
