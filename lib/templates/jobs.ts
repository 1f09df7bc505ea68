import "server-only";
import { isAppError } from "../errors";
import type { JobHandler } from "../jobs/types";
import { logger } from "../log";
import { queueHubTemplateSync, syncChannelTemplates } from "./sync";

// A number whose key was withdrawn meanwhile has nothing to sync: retrying would only fill the dead letters.
const NOTHING_TO_SYNC = new Set(["conflict:no_api_key"]);

export const templateSyncHandler: JobHandler<"template.sync"> = async (job) => {
  try {
    const result = await syncChannelTemplates(job.payload.channelId);
    logger("templates").info({ channelId: job.payload.channelId, ...result }, "templates synced");
  } catch (error) {
    if (!isAppError(error) || !NOTHING_TO_SYNC.has(error.code)) throw error;
    logger("templates").info({ channelId: job.payload.channelId, reason: error.code }, "template sync skipped");
  }
};

export const hubTemplateSyncHandler: JobHandler<"hub.template_sync"> = async (job) => {
  const queued = await queueHubTemplateSync(job.payload);
  logger("templates").info({ hubId: job.payload.hubId, scope: job.payload.scope, queued }, "template sync queued");
};
