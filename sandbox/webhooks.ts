import { createHmac } from "node:crypto";
import type { Faults } from "./faults";
import { newEventId } from "./ids";
import type { Scheduler } from "./scheduler";
import type { SandboxState } from "./state";
import type { Channel, DeliveryOutcome, SignatureEncoding } from "./types";

// Partner webhook delivery. One FIFO queue per partner: an event is sent (and retried with capped exponential
// backoff) before the next one, so events arrive in the order they happened unless the outOfOrderDeliveries
// fault is on. The body is {id, event, data}; `x-360dialog-signature` is HMAC-SHA256(raw body, platform secret),
// encoded hex (default) or base64 per partner (the encoding is UNVERIFIED upstream, docs/hub-contract.md §4.2).
// Every attempt is recorded in state.deliveries.

/** Computed here with node:crypto on purpose: the portal's verifier must agree with an independent signer. */
export function signWebhookBody(body: string, secret: string, encoding: SignatureEncoding): string {
  return createHmac("sha256", secret).update(body, "utf8").digest(encoding);
}

interface QueueItem {
  eventId: string;
  event: string;
  body: string;
  /** Set for a Meta-shaped delivery to a WABA's webhook (docs/waba-webhook.md); a partner event otherwise. */
  wabaAccountId?: string;
}

interface Queue {
  items: QueueItem[];
  running: boolean;
}

interface Attempt {
  kind: "partner" | "messaging" | "waba";
  eventId: string;
  event: string;
  attempt: number;
  duplicate: boolean;
  final: boolean;
}

export class WebhookDispatcher {
  private queues = new Map<string, Queue>();
  private generation = 0;
  private abort = new AbortController();

  constructor(
    private readonly deps: { state: SandboxState; faults: Faults; scheduler: Scheduler; log: (m: string) => void },
  ) {}

  /** Queues a signed partner event; returns its event id. */
  emit(partnerId: string, event: string, data: unknown): string {
    const eventId = newEventId();
    const body = JSON.stringify({ id: eventId, event, data });
    this.enqueue(partnerId, { eventId, event, body });
    return eventId;
  }

  /**
   * A Meta-shaped body for the channel's WABA webhook (`POST /waba_webhook`), with the headers set there and no
   * 360dialog signature (docs/waba-webhook.md §1). Queued per WABA and retried like partner events; skipped (and
   * recorded so) when the WABA has no webhook. Returns the delivery id.
   */
  sendWaba(channel: Channel, field: string, value: unknown): string {
    const eventId = newEventId();
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [{ id: channel.wabaExternalId, time: this.deps.state.nowSeconds(), changes: [{ value, field }] }],
    });
    this.enqueue(`waba:${channel.wabaAccountId}`, { eventId, event: field, body, wabaAccountId: channel.wabaAccountId });
    return eventId;
  }

  /** Message traffic of a number: its own webhook when it has one (best effort), else its WABA's (docs/waba-webhook.md §5). */
  sendMessages(channel: Channel, value: unknown): string {
    if (!channel.messagingWebhook) return this.sendWaba(channel, "messages", value);
    const body = { object: "whatsapp_business_account", entry: [{ id: channel.wabaExternalId, changes: [{ value, field: "messages" }] }] };
    const attempt: Attempt = { kind: "messaging", eventId: newEventId(), event: "messages", attempt: 1, duplicate: false, final: true };
    const custom = this.deps.faults.dropCustomHeaders ? {} : channel.messagingWebhook.headers;
    void this.post(channel.messagingWebhook.url, JSON.stringify(body), { ...custom, "content-type": "application/json" }, attempt);
    return attempt.eventId;
  }

  /** Starts the queue on the next turn, so events emitted together are queued together (and can be reordered). */
  private enqueue(key: string, item: QueueItem): void {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { items: [], running: false };
      this.queues.set(key, queue);
    }
    queue.items.push(item);
    if (!queue.running) {
      queue.running = true;
      const q = queue;
      const gen = this.generation;
      this.deps.scheduler.after(0, () => void this.run(key, q, gen));
    }
  }

  /** Ends all queues and in-flight requests (reset and close). */
  stop(): void {
    this.generation += 1;
    this.abort.abort();
    this.abort = new AbortController();
    this.queues = new Map();
  }

  get pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.items.length + (q.running ? 1 : 0);
    return n;
  }

  private async run(partnerId: string, queue: Queue, gen: number): Promise<void> {
    try {
      while (gen === this.generation && queue.items.length > 0) {
        const item = this.deps.faults.outOfOrderDeliveries ? queue.items.pop() : queue.items.shift();
        if (item) await this.deliver(partnerId, item, gen);
      }
    } finally {
      queue.running = false;
    }
  }

  private backoff(attempt: number): number {
    const { webhookRetryBaseMs, webhookRetryMaxMs } = this.deps.state.config;
    return Math.min(webhookRetryBaseMs * 2 ** (attempt - 1), webhookRetryMaxMs);
  }

  private async deliver(partnerId: string, item: QueueItem, gen: number): Promise<void> {
    if (item.wabaAccountId !== undefined) return this.deliverToWaba(item, item.wabaAccountId, gen);
    const { state, faults, scheduler } = this.deps;
    const max = Math.max(1, state.config.webhookMaxAttempts);
    const base = { kind: "partner" as const, eventId: item.eventId, event: item.event, duplicate: false };
    if (faults.shouldDropDelivery()) {
      this.record(null, { ...base, attempt: 1, final: true }, "dropped", null, "dropped by fault injection", 0);
      return;
    }
    for (let attempt = 1; attempt <= max; attempt++) {
      if (gen !== this.generation) return;
      const partner = state.partners.get(partnerId);
      if (!partner?.webhookUrl) {
        this.record(null, { ...base, attempt, final: true }, "skipped", null, partner ? "no webhook url" : "partner removed", 0);
        return;
      }
      const headers: Record<string, string> = {
        ...partner.webhookHeaders,
        "content-type": "application/json",
        "user-agent": "360dialog-sandbox",
      };
      if (!faults.unsignedDeliveries) headers["x-360dialog-signature"] = signWebhookBody(item.body, partner.platformSecret, partner.webhookSignatureEncoding);
      const info = { ...base, attempt, final: attempt === max };
      if (await this.post(partner.webhookUrl, item.body, headers, info)) {
        for (let i = 0; i < faults.duplicateDeliveries && gen === this.generation; i++) {
          await this.post(partner.webhookUrl, item.body, headers, { ...info, duplicate: true, final: true });
        }
        return;
      }
      if (attempt < max) await scheduler.sleep(this.backoff(attempt));
    }
  }

  private async deliverToWaba(item: QueueItem, wabaAccountId: string, gen: number): Promise<void> {
    const { state, faults, scheduler } = this.deps;
    const max = Math.max(1, state.config.webhookMaxAttempts);
    const base = { kind: "waba" as const, eventId: item.eventId, event: item.event, duplicate: false };
    if (faults.shouldDropDelivery()) {
      this.record(null, { ...base, attempt: 1, final: true }, "dropped", null, "dropped by fault injection", 0);
      return;
    }
    for (let attempt = 1; attempt <= max; attempt++) {
      if (gen !== this.generation) return;
      const hook = [...state.channels.values()].find((c) => c.wabaAccountId === wabaAccountId && c.wabaWebhook)?.wabaWebhook;
      if (!hook) {
        this.record(null, { ...base, attempt, final: true }, "skipped", null, "no WABA webhook set", 0);
        return;
      }
      const headers = { ...(faults.dropCustomHeaders ? {} : hook.headers), "content-type": "application/json", "user-agent": "360dialog-sandbox" };
      const info = { ...base, attempt, final: attempt === max };
      if (await this.post(hook.url, item.body, headers, info)) {
        for (let i = 0; i < faults.duplicateDeliveries && gen === this.generation; i++) {
          await this.post(hook.url, item.body, headers, { ...info, duplicate: true, final: true });
        }
        return;
      }
      if (attempt < max) await scheduler.sleep(this.backoff(attempt));
    }
  }

  private async post(url: string, body: string, headers: Record<string, string>, info: Attempt): Promise<boolean> {
    const started = performance.now();
    const timeout = this.deps.state.config.webhookTimeoutMs;
    const gen = this.generation;
    try {
      const res = await fetch(url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeout)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      const ok = res.status >= 200 && res.status < 300;
      this.record(url, info, ok ? "delivered" : info.final ? "gave_up" : "failed", res.status, null, performance.now() - started);
      return ok;
    } catch (error) {
      if (gen !== this.generation) return false;
      const message = describeFetchError(error, timeout);
      this.record(url, info, info.final ? "gave_up" : "failed", null, message, performance.now() - started);
      return false;
    }
  }

  private record(
    url: string | null,
    info: Attempt,
    outcome: DeliveryOutcome,
    statusCode: number | null,
    error: string | null,
    durationMs: number,
  ): void {
    this.deps.state.recordDelivery({
      kind: info.kind,
      eventId: info.eventId,
      event: info.event,
      url,
      statusCode,
      error,
      attempt: info.attempt,
      duplicate: info.duplicate,
      outcome,
      at: this.deps.state.iso(),
      durationMs: Math.round(durationMs),
    });
    const what = statusCode !== null ? `HTTP ${statusCode}` : (error ?? outcome);
    this.deps.log(`[sandbox] webhook ${info.event} attempt ${info.attempt} → ${what}`);
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return error.name === "TimeoutError" ? `timeout after ${timeoutMs} ms` : "aborted";
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `network error: ${cause.code}`;
  return `network error: ${error instanceof Error ? error.message : String(error)}`;
}
