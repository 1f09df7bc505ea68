import { randomDigits } from "./ids";
import type { Scheduler } from "./scheduler";
import type { SandboxState } from "./state";
import type { ValidTemplate } from "./template-rules";
import type { Channel, TemplateRecord } from "./types";
import type { WebhookDispatcher } from "./webhooks";

// Template life after a valid submission: `submitted`, then after templateReviewDelayMs `approved`, or
// `rejected` with reason INVALID_FORMAT when the name contains "reject" and it was never edited (sandbox rules,
// so tests can choose: an edit is the fix). An edit in place (docs/templates-meta.md §2) puts it back to
// `pending` for review. A deleted template stays as a tombstone: listed nowhere, its name and language refused
// for 30 days as Meta does.
// Every change is announced as Meta announces it, and only so: `message_template_status_update` in Meta's shape to
// the WABA webhook (`POST /waba_webhook`), with the headers set there and retried like every delivery; nothing when
// the WABA has no webhook (docs/waba-webhook.md §1). No partner event: none is documented for it.

const DAY_MS = 86_400_000;
/** Meta holds a deleted template's name and language for about 4 weeks (docs/templates-meta.md §2). */
const DELETED_NAME_HOLD_MS = 30 * DAY_MS;

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
      ...(input.parameterFormat === "NAMED" ? { parameterFormat: "NAMED" } : {}),
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
        if (!current || (current.status !== "submitted" && current.status !== "pending") || current.deletedAt) return;
        if (current.name.includes("reject") && !current.edited) this.setStatus(current, "rejected", "INVALID_FORMAT");
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
      if (t.wabaAccountId !== channel.wabaAccountId || t.name !== name || t.deletedAt) continue;
      scheduler.cancel(`template:${id}`);
      t.deletedAt = state.iso();
      t.modifiedAt = t.deletedAt;
      removed += 1;
    }
    if (removed > 0) state.changed();
    return removed;
  }

  /** A tombstone of `name` in `language` younger than 30 days, if any (Meta error 2388023 on a new create). */
  recentlyDeleted(channel: Channel, name: string, language: string): TemplateRecord | undefined {
    const now = this.deps.state.now();
    return [...this.deps.state.templates.values()].find(
      (t) => t.wabaAccountId === channel.wabaAccountId && t.name === name && t.language === language && t.deletedAt && now - Date.parse(t.deletedAt) < DELETED_NAME_HOLD_MS,
    );
  }

  /**
   * Edits a template in place (new components, perhaps a new category) and sends it to review again. The
   * caller has checked Meta's rules (templateEditRefusal).
   */
  edit(template: TemplateRecord, input: Pick<ValidTemplate, "components" | "category" | "parameterFormat">): void {
    const { state, scheduler } = this.deps;
    scheduler.cancel(`template:${template.id}`);
    const now = state.iso();
    if (template.status === "approved") template.approvedEdits = [...(template.approvedEdits ?? []), now].slice(-20);
    template.components = input.components;
    template.category = input.category;
    if (input.parameterFormat === "NAMED") template.parameterFormat = "NAMED";
    else delete template.parameterFormat;
    template.edited = true;
    template.status = "pending";
    template.rejectedReason = null;
    template.modifiedAt = now;
    state.changed();
    this.scheduleReview(template);
  }

  /** Meta's limits on editing (docs/templates-meta.md §2): the refusal's words, or undefined when allowed. */
  editRefusal(template: TemplateRecord, category: string): { title: string; message: string } | undefined {
    const status = template.status;
    if (status !== "approved" && status !== "rejected" && status !== "paused") {
      return { title: "Template can't be edited", message: `A template that is ${status} can't be edited; only approved, rejected or paused templates can.` };
    }
    if (status !== "approved") return undefined;
    if (category !== template.category) {
      return { title: "Category can't be changed", message: "The category of an approved template can't be edited." };
    }
    const now = this.deps.state.now();
    const edits = (template.approvedEdits ?? []).map((at) => Date.parse(at));
    if (edits.some((at) => now - at < DAY_MS)) {
      return { title: "Edit limit reached", message: "An approved template can be edited once in 24 hours. Try again later." };
    }
    if (edits.filter((at) => now - at < 30 * DAY_MS).length >= 10) {
      return { title: "Edit limit reached", message: "An approved template can be edited 10 times in 30 days." };
    }
    return undefined;
  }

  ofChannel(channel: Channel): TemplateRecord[] {
    return [...this.deps.state.templates.values()].filter((t) => t.wabaAccountId === channel.wabaAccountId && !t.deletedAt);
  }
}
