import type { Faults } from "./faults";
import type { Lifecycle } from "./lifecycle";
import type { Scheduler } from "./scheduler";
import type { SandboxState } from "./state";
import type { TemplateReview } from "./templates";
import type { WebhookDispatcher } from "./webhooks";

/** What every route module of the sandbox gets. */
export interface SandboxContext {
  state: SandboxState;
  scheduler: Scheduler;
  webhooks: WebhookDispatcher;
  faults: Faults;
  lifecycle: Lifecycle;
  templates: TemplateReview;
  /** The sandbox's own base URL (no trailing slash), e.g. the `address` of issued API keys. */
  baseUrl(): string;
  log(message: string): void;
  /** Back to the start state (reset control call). */
  reset(): void;
}
