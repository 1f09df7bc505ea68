import "server-only";
import { isAppError } from "../errors";
import type { JobContext, JobHandler } from "../jobs/types";
import { logger } from "../log";
import { queueHubTemplateSync, syncChannelTemplates, type SyncResult } from "./sync";

// A number whose key was withdrawn meanwhile has nothing to sync: retrying would only fill the dead letters.
const NOTHING_TO_SYNC = new Set(["conflict:no_api_key"]);

/** One number's sync as it ended, for whoever shows a run's outcome (the composition root; docs/hub-settings.md §6). */
export type TemplateSyncOutcome = { ok: true; result?: SyncResult } | { ok: false; error: unknown; final: boolean };

export function templateSyncHandlerWith(hooks: { onOutcome?: (job: JobContext<"template.sync">, outcome: TemplateSyncOutcome) => Promise<void> } = {}): JobHandler<"template.sync"> {
  return async (job) => {
    try {
      const result = await syncChannelTemplates(job.payload.channelId);
      logger("templates").info({ channelId: job.payload.channelId, ...result }, "templates synced");
      await hooks.onOutcome?.(job, { ok: true, result });
    } catch (error) {
      if (!isAppError(error) || !NOTHING_TO_SYNC.has(error.code)) {
        await hooks.onOutcome?.(job, { ok: false, error, final: job.attempt >= job.maxAttempts });
        throw error;
      }
      logger("templates").info({ channelId: job.payload.channelId, reason: error.code }, "template sync skipped");
      await hooks.onOutcome?.(job, { ok: true });
    }
  };
}

export const templateSyncHandler: JobHandler<"template.sync"> = templateSyncHandlerWith();

export function hubTemplateSyncHandlerWith(
  hooks: { onStart?: (job: JobContext<"hub.template_sync">) => Promise<void>; onQueued?: (job: JobContext<"hub.template_sync">, queued: number) => Promise<void> } = {},
): JobHandler<"hub.template_sync"> {
  return async (job) => {
    await hooks.onStart?.(job);
    const queued = await queueHubTemplateSync(job.payload);
    logger("templates").info({ hubId: job.payload.hubId, scope: job.payload.scope, queued }, "template sync queued");
    await hooks.onQueued?.(job, queued);
  };
}

export const hubTemplateSyncHandler: JobHandler<"hub.template_sync"> = hubTemplateSyncHandlerWith();
