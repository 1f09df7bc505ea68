// Records the sandbox keeps. Field names are the sandbox's own (camelCase); views.ts turns them into the
// snake_case shapes of hub-contract.md.

export type PaymentMode = "partner" | "direct";
export type SignatureEncoding = "hex" | "base64";

export interface Partner {
  id: string;
  name: string;
  apiKey: string;
  username: string | null;
  password: string | null;
  platformSecret: string;
  paymentMode: PaymentMode;
  ioSignature: { enabled: boolean; encoding: SignatureEncoding };
  /** Encoding of `x-360dialog-signature` (UNVERIFIED in the contract, hex by default). */
  webhookSignatureEncoding: SignatureEncoding;
  redirectUrl: string | null;
  webhookUrl: string | null;
  /** Extra headers sent with every partner webhook (UNVERIFIED body field name: `headers`). */
  webhookHeaders: Record<string, string>;
  /** Per-partner override of the delay between lifecycle steps; null = the global setting. */
  lifecycleDelayMs: number | null;
  /**
   * Whether the redirect back carries the partner's `state`: 360dialog documents only client, channels and
   * revoked on it, so "omit" shows what a partner must survive.
   */
  redirectState: "echo" | "omit";
  accountSharing: { solutionId: string | null; businessManagerId: string | null };
  createdAt: string;
}

export interface ContactInfo {
  email: string;
  full_name: string;
  phone: string | null;
  language: string | null;
  country: string | null;
  city: string | null;
  street_name: string | null;
  zip_code: string | null;
  webpage_url: string | null;
}

export interface Client {
  id: string;
  partnerId: string;
  name: string;
  status: string;
  maxChannels: number;
  organisation: string;
  partnerPayload: string | null;
  contactInfo: ContactInfo;
  businessId: string;
  createdAt: string;
  modifiedAt: string;
}

export interface Channel {
  id: string;
  partnerId: string;
  clientId: string;
  status: string;
  accountMode: string;
  phoneNumber: string;
  phoneName: string;
  /** Whether the client granted the partner API-key permission for this number. */
  permitted: boolean;
  wabaAccountId: string;
  wabaExternalId: string;
  businessId: string;
  namespace: string;
  appId: string;
  createdAt: string;
  modifiedAt: string;
  billingStartedAt: string | null;
  terminatedAt: string | null;
  /** Meta's quality rating and messaging limit tier as the channel object carries them (`current_*`). */
  qualityRating?: string;
  messagingLimit?: string;
  messagingWebhook: { url: string; headers: Record<string, string> } | null;
  /**
   * The webhook of the channel's whole WABA (`POST /waba_webhook`), kept on every channel of the WABA alike: Meta's
   * template and account events go there, and messages of a number without its own webhook (docs/waba-webhook.md).
   */
  wabaWebhook?: { url: string; headers: Record<string, string> } | null;
}

export interface ApiKeyRecord {
  id: string;
  channelId: string;
  key: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface TemplateRecord {
  id: string;
  partnerId: string;
  channelId: string;
  wabaAccountId: string;
  name: string;
  language: string;
  category: string;
  components: unknown[];
  status: string;
  rejectedReason: string | null;
  namespace: string;
  createdAt: string;
  modifiedAt: string;
  /** "NAMED" for `{{name}}` variables (docs/templates-meta.md §3); absent = positional. */
  parameterFormat?: string;
  /** When the template was edited in place while approved (Meta: once a day, ten times in 30 days). */
  approvedEdits?: string[];
  /** Edited in place at least once. */
  edited?: boolean;
  /** Deleted: kept as a tombstone, listed nowhere, and its name and language refused for 30 days. */
  deletedAt?: string | null;
}

/** A finished Embedded Signup in the Meta SDK stand-in: what account-sharing onboarding can later refer to. */
export interface EsSession {
  wabaId: string;
  phoneNumberId: string | null;
  businessId: string;
  phoneNumber: string | null;
  businessName: string;
  code: string;
  createdAt: string;
}

export type DeliveryOutcome = "delivered" | "failed" | "gave_up" | "dropped" | "skipped";

export interface Delivery {
  seq: number;
  kind: "partner" | "messaging" | "waba";
  eventId: string;
  event: string;
  url: string | null;
  statusCode: number | null;
  error: string | null;
  attempt: number;
  duplicate: boolean;
  outcome: DeliveryOutcome;
  at: string;
  durationMs: number;
}

export interface SandboxConfig {
  /** Delay between lifecycle steps (created → unverified → verified → ready → running → live); 0 = all at once. */
  lifecycleDelayMs: number;
  /** Delay before a submitted template is approved or rejected; 0 = at once, -1 = never (control API only). */
  templateReviewDelayMs: number;
  /** Whether PATCH /v1/configs/templates/{id} (in-place edit) exists; false answers 404 like a hub without it. */
  templateEditing: boolean;
  /** Lifetime of partner bearer tokens (UNVERIFIED upstream; 24 h like the older Hub API). */
  tokenTtlSeconds: number;
  /** Accepted |now − io_timestamp| for IO signatures (UNVERIFIED upstream). */
  ioSignatureWindowSeconds: number;
  webhookMaxAttempts: number;
  webhookRetryBaseMs: number;
  webhookRetryMaxMs: number;
  webhookTimeoutMs: number;
}

export const DEFAULT_CONFIG: SandboxConfig = {
  lifecycleDelayMs: 750,
  templateReviewDelayMs: 3000,
  templateEditing: true,
  tokenTtlSeconds: 86_400,
  ioSignatureWindowSeconds: 300,
  webhookMaxAttempts: 6,
  webhookRetryBaseMs: 1000,
  webhookRetryMaxMs: 30_000,
  webhookTimeoutMs: 5000,
};

/** One Integrated Onboarding visit, kept server-side and referred to by a random id in a hidden form field. */
export interface IoFlow {
  id: string;
  partnerId: string;
  /** `permissions` when started on …/permissions: an existing client then sees only the permission screen. */
  entryKind: "signup" | "permissions";
  /** Start URL without the IO signature, for the "start again" link. */
  entry: string;
  step: "signup" | "embedded_signup" | "permissions" | "done";
  params: {
    email: string;
    name: string;
    number: string;
    state: string | null;
    redirectUrl: string | null;
    partnerPayload: string | null;
    /** `lang` as sent; the real form's languages are not documented (IO_FORM_LANGS in io-html.ts). */
    lang: string | null;
  };
  clientId: string | null;
  newChannelIds: string[];
  signup: { email: string; fullName: string; companyName: string } | null;
  expiresAt: number;
}
