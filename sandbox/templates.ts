import { randomDigits } from "./ids";
import type { Scheduler } from "./scheduler";
import type { SandboxState } from "./state";
import type { ValidTemplate } from "./template-rules";
import type { Channel, TemplateRecord } from "./types";
import type { WebhookDispatcher } from "./webhooks";

// Template life after a valid submission: `submitted`, then after templateReviewDelayMs `approved`, or
// `rejected` with reason INVALID_FORMAT when the name contains "reject" (a sandbox rule, so tests can choose).
// Every change is announced as Meta announces it, and only so: `message_template_status_update` in Meta's shape to
// the WABA webhook (`POST /waba_webhook`), with the headers set there and retried like every delivery; nothing when
// the WABA has no webhook (docs/waba-webhook.md §1). No partner event: none is documented for it.

export class TemplateReview {
  constructor(private readonly deps: { state: SandboxState; scheduler: Scheduler; webhooks: WebhookDispatcher }) {}

  submit(channel: Channel, input: ValidTemplate): TemplateRecord {
    const { state } = this.deps;
    const now = state.iso();
    const template: TemplateRecord = {
      id: randomDigits(15),
      partnerId: channel.partnerId,
      channelId: channel.id,
      wabaAccountId: channel.wabaAccountId,
      name: input.name,
      language: input.language,
      category: input.category,
      components: input.components,
      status: "submitted",
      rejectedReason: null,
      namespace: channel.namespace,
      createdAt: now,
      modifiedAt: now,
    };
    state.templates.set(template.id, template);
    state.changed();
    this.scheduleReview(template);
    return template;
  }

  private scheduleReview(template: TemplateRecord): void {
    const delay = this.deps.state.config.templateReviewDelayMs;
    if (delay < 0) return;
    this.deps.scheduler.after(
      delay,
      () => {
        const current = this.deps.state.templates.get(template.id);
        if (!current || current.status !== "submitted") return;
        if (current.name.includes("reject")) this.setStatus(current, "rejected", "INVALID_FORMAT");
        else this.setStatus(current, "approved", null);
      },
      `template:${template.id}`,
    );
  }

  /** Sets a status (lowercase, as 360dialog lists show it) and notifies when it changed. */
  setStatus(template: TemplateRecord, status: string, rejectedReason: string | null): void {
    const { state, scheduler, webhooks } = this.deps;
    scheduler.cancel(`template:${template.id}`);
    const next = status.toLowerCase();
    const reason = next === "rejected" ? (rejectedReason ?? "INVALID_FORMAT") : null;
    if (template.status === next && template.rejectedReason === reason) return;
    template.status = next;
    template.rejectedReason = reason;
    template.modifiedAt = state.iso();
    state.changed();
    const channel = state.channels.get(template.channelId);
    if (!channel) return;
    const event = next.toUpperCase();
    webhooks.sendWaba(channel, "message_template_status_update", {
      event,
      message_template_id: Number(template.id),
      message_template_name: template.name,
      message_template_language: template.language,
      reason: reason ?? "NONE",
      message_template_category: template.category,
      ...(event === "DISABLED" ? { disable_info: { disable_date: String(state.nowSeconds()) } } : {}),
      ...(event === "PAUSED" ? { other_info: { title: "FIRST_PAUSE", description: "Your WhatsApp message template has been paused for 3 hours because it had issues." } } : {}),
    });
  }

  /** Deletes every language of a template name in the channel's WABA; returns how many were removed. */
  deleteByName(channel: Channel, name: string): number {
    const { state, scheduler } = this.deps;
    let removed = 0;
    for (const [id, t] of state.templates) {
      if (t.wabaAccountId !== channel.wabaAccountId || t.name !== name) continue;
      scheduler.cancel(`template:${id}`);
      state.templates.delete(id);
      removed += 1;
    }
    if (removed > 0) state.changed();
    return removed;
  }

  ofChannel(channel: Channel): TemplateRecord[] {
    return [...this.deps.state.templates.values()].filter((t) => t.wabaAccountId === channel.wabaAccountId);
  }
}
