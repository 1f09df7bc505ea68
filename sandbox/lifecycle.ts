import { newApiKey, newChannelId, newClientId, newPhoneNumber, randomAlnum, randomDigits } from "./ids";
import type { Scheduler } from "./scheduler";
import type { SandboxState } from "./state";
import type { Channel, Client, Partner } from "./types";
import { channelView, clientView } from "./views";
import type { WebhookDispatcher } from "./webhooks";

// What happens to clients and channels, whoever triggers it (IO pages, control API, account sharing):
// creation, the status progression created → unverified → verified → ready → running (then `channel_live`),
// permission, API keys, and the partner events that go with each step (docs/hub-contract.md §4.4, §5.4).

/** Status → partner event. `verified` has no documented event; unknown statuses emit none. */
export const STATUS_EVENTS: Record<string, string> = {
  created: "channel_created",
  unverified: "channel_submitted",
  ready: "channel_ready",
  running: "channel_running",
};

const PROGRESSION = ["unverified", "verified", "ready", "running", "live"] as const;

export interface ClientInput {
  email?: string;
  fullName?: string;
  companyName?: string;
  partnerPayload?: string | null;
  businessId?: string;
}

export interface ChannelInput {
  phoneNumber?: string;
  phoneName?: string;
  permitted?: boolean;
  wabaExternalId?: string;
  businessId?: string;
}

export class Lifecycle {
  constructor(private readonly deps: { state: SandboxState; webhooks: WebhookDispatcher; scheduler: Scheduler }) {}

  createClient(partner: Partner, input: ClientInput): Client {
    const { state } = this.deps;
    const now = state.iso();
    const name = input.companyName?.trim() || input.fullName?.trim() || "Sandbox client";
    const client: Client = {
      id: newClientId(),
      partnerId: partner.id,
      name,
      status: "active",
      maxChannels: 10,
      organisation: name,
      partnerPayload: input.partnerPayload ?? null,
      contactInfo: {
        email: input.email?.trim() || `client-${randomAlnum(6).toLowerCase()}@example.test`,
        full_name: input.fullName?.trim() || name,
        phone: null,
        language: "en",
        country: null,
        city: null,
        street_name: null,
        zip_code: null,
        webpage_url: null,
      },
      businessId: input.businessId ?? randomDigits(15),
      createdAt: now,
      modifiedAt: now,
    };
    state.clients.set(client.id, client);
    state.changed();
    // client_created payload shape UNVERIFIED: receivers read data.client.{id,name,contact_info.email}.
    this.deps.webhooks.emit(partner.id, "client_created", { client: clientView(client) });
    return client;
  }

  /** Creates a channel in `created`, emits `channel_created` and starts the timed status progression. */
  createChannel(partner: Partner, client: Client, input: ChannelInput): Channel {
    const { state } = this.deps;
    const now = state.iso();
    const channel: Channel = {
      id: newChannelId(),
      partnerId: partner.id,
      clientId: client.id,
      status: "created",
      accountMode: "live",
      phoneNumber: input.phoneNumber ?? newPhoneNumber(),
      phoneName: input.phoneName?.trim() || client.name,
      permitted: input.permitted ?? partner.paymentMode === "partner",
      wabaAccountId: `${randomAlnum(8)}WA`,
      wabaExternalId: input.wabaExternalId ?? randomDigits(15),
      businessId: input.businessId ?? client.businessId,
      namespace: `${randomAlnum(8).toLowerCase()}_${randomAlnum(4).toLowerCase()}_${randomAlnum(4).toLowerCase()}`,
      appId: randomDigits(6),
      createdAt: now,
      modifiedAt: now,
      billingStartedAt: null,
      terminatedAt: null,
      messagingWebhook: null,
    };
    state.channels.set(channel.id, channel);
    state.changed();
    this.emitChannel(channel, "channel_created");
    this.startProgression(partner, channel);
    return channel;
  }

  private startProgression(partner: Partner, channel: Channel): void {
    const step = partner.lifecycleDelayMs ?? this.deps.state.config.lifecycleDelayMs;
    if (step <= 0) {
      for (const s of PROGRESSION) this.advance(channel.id, s);
      return;
    }
    PROGRESSION.forEach((s, i) => this.deps.scheduler.after(step * (i + 1), () => this.advance(channel.id, s), tagOf(channel.id)));
  }

  private advance(channelId: string, step: (typeof PROGRESSION)[number]): void {
    const channel = this.deps.state.channels.get(channelId);
    if (!channel) return;
    if (step === "live") this.emitChannel(channel, "channel_live");
    else this.setStatus(channel, step, STATUS_EVENTS[step] ?? null);
  }

  /** Sets a status and emits `event` (a control-API call also stops the automatic progression). */
  setStatus(channel: Channel, status: string, event: string | null, stopProgression = false): void {
    if (stopProgression) this.deps.scheduler.cancel(tagOf(channel.id));
    channel.status = status;
    channel.modifiedAt = this.deps.state.iso();
    if (status === "running" && channel.billingStartedAt === null) channel.billingStartedAt = channel.modifiedAt;
    this.deps.state.changed();
    if (event) this.emitChannel(channel, event);
  }

  emitChannel(channel: Channel, event: string): string {
    const client = this.deps.state.clients.get(channel.clientId);
    return this.deps.webhooks.emit(channel.partnerId, event, channelView(channel, client));
  }

  /** Grants API-key permission; emits `channel_permission_granted` when it was not granted before. */
  grantPermission(channel: Channel): void {
    if (channel.permitted) return;
    channel.permitted = true;
    channel.modifiedAt = this.deps.state.iso();
    this.deps.state.changed();
    this.emitChannel(channel, "channel_permission_granted");
  }

  /** Withdraws permission; the partner's key for the number stops working (no documented event). */
  revokePermission(channel: Channel): void {
    if (!channel.permitted) return;
    channel.permitted = false;
    channel.modifiedAt = this.deps.state.iso();
    this.deps.state.revokeKeys(channel.id);
  }

  /**
   * The end of a number (docs/channel-lifecycle.md §1), each step with its partner event (the channel object, as
   * the .NET client's payload class reads it). A request keeps the number working until `terminated_at` (the end
   * of the month unless given, as the Client Hub's cancellation page says); processing revokes its keys and leaves
   * it in `status` (default "terminated": the wire value is not documented, so the portal must take any string).
   */
  requestCancellation(channel: Channel, terminatedAt?: string): string {
    const now = new Date(this.deps.state.now());
    channel.terminatedAt = terminatedAt ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0, 23, 59, 59)).toISOString();
    return this.touchAndEmit(channel, "cancellation_request");
  }

  revokeCancellation(channel: Channel): string {
    channel.terminatedAt = null;
    return this.touchAndEmit(channel, "cancellation_revoke");
  }

  processCancellation(channel: Channel, status = "terminated"): string {
    this.deps.scheduler.cancel(tagOf(channel.id));
    channel.terminatedAt ??= this.deps.state.iso();
    channel.status = status;
    this.deps.state.revokeKeys(channel.id);
    return this.touchAndEmit(channel, "cancellation_processed");
  }

  private touchAndEmit(channel: Channel, event: string): string {
    channel.modifiedAt = this.deps.state.iso();
    this.deps.state.changed();
    return this.emitChannel(channel, event);
  }

  /** Issues a new key for the channel, revoking the previous ones (docs/hub-contract.md §5.3, F6). */
  issueApiKey(channel: Channel) {
    const { state } = this.deps;
    state.revokeKeys(channel.id);
    const record = { id: randomDigits(6), channelId: channel.id, key: newApiKey(), createdAt: state.iso(), revokedAt: null };
    state.apiKeys.push(record);
    state.changed();
    return record;
  }
}

function tagOf(channelId: string): string {
  return `channel:${channelId}`;
}
