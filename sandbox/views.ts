import type { Channel, Client, Partner, TemplateRecord } from "./types";

// The wire shapes of hub-contract.md: partner (docs/hub-contract.md §5.3 first row), client (docs/hub-contract.md §5.3 end), channel (docs/hub-contract.md §4.5 `data`),
// template (docs/hub-contract.md §6). Fields the contract names without values get plausible fixed values.

export function partnerView(p: Partner) {
  return {
    id: p.id,
    brand_name: p.name,
    logo_url: null,
    partner_redirect_url: p.redirectUrl,
    webhook_url: p.webhookUrl,
    // Value vocabulary UNVERIFIED: the sandbox names the payment mode it simulates.
    payment_plan: p.paymentMode === "direct" ? "direct_payment" : "partner_payment",
    payment_required: p.paymentMode === "direct",
    onboarding_deeplink_add_params: null,
    blocked_new_submission: false,
    country: null,
  };
}

export function clientSummary(c: Client) {
  return { id: c.id, name: c.name, partner_payload: c.partnerPayload, contact_info: c.contactInfo };
}

export function clientView(c: Client) {
  const user = { user_id: "sandbox", user_name: "360dialog sandbox" };
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    max_channels: c.maxChannels,
    organisation: c.organisation,
    meta_info: { business_vertical: null, timezone: null, about: null, business_description: null, use_case: null },
    contact_info: c.contactInfo,
    contact_user: { phone: c.contactInfo.phone, email: c.contactInfo.email, name: c.contactInfo.full_name },
    partner_payload: c.partnerPayload,
    created_at: c.createdAt,
    created_by: user,
    modified_at: c.modifiedAt,
    modified_by: user,
    suspicious: false,
  };
}

const LIVE_STATUSES = new Set(["ready", "running"]);

export function channelView(ch: Channel, client: Client | undefined) {
  return {
    id: ch.id,
    client_id: ch.clientId,
    partner_id: ch.partnerId,
    status: ch.status,
    account_mode: ch.accountMode,
    created_at: ch.createdAt,
    modified_at: ch.modifiedAt,
    billing_started_at: ch.billingStartedAt,
    terminated_at: ch.terminatedAt,
    current_limit: ch.messagingLimit ?? "TIER_250",
    current_quality_rating: ch.qualityRating ?? "GREEN",
    client: client ? clientSummary(client) : { id: ch.clientId, name: null, partner_payload: null, contact_info: null },
    setup_info: {
      phone_number: ch.phoneNumber,
      phone_name: ch.phoneName,
      was_in_use: false,
      ivr: false,
      verification_method: "sms",
      default_language: "en",
      certificate: null,
      error: null,
    },
    waba_account: {
      id: ch.wabaAccountId,
      external_id: ch.wabaExternalId,
      fb_account_status: LIVE_STATUSES.has(ch.status) ? "verified" : "pending",
      namespace: ch.namespace,
      fb_business_id: ch.businessId,
      on_behalf_of_business_info: { id: ch.businessId, name: ch.phoneName, status: "approved", type: "SELF" },
    },
    integration: { enabled: ch.permitted && ch.status === "running", app_id: ch.appId, state: ch.status },
    has_inbox: false,
    is_oba: false,
  };
}

export function templateView(t: TemplateRecord) {
  return {
    id: t.id,
    name: t.name,
    language: t.language,
    category: t.category,
    components: t.components,
    status: t.status,
    rejected_reason: t.rejectedReason,
    ...(t.parameterFormat ? { parameter_format: t.parameterFormat } : {}),
    namespace: t.namespace,
    partner_id: t.partnerId,
    waba_account_id: t.wabaAccountId,
    created_at: t.createdAt,
    modified_at: t.modifiedAt,
    modified_by: { user_id: "sandbox", user_name: "360dialog sandbox" },
  };
}
