import "server-only";
import { z } from "zod";
import { isRecord } from "./json";
import { createHubTransport, isHubError, type HubRequest, type HubTransport, type HubTransportOptions } from "./http";
import {
  DEFAULT_MESSAGING_BASE_URL,
  clientSchema,
  listPageSchema,
  listQuery,
  optString,
  optText,
  partnerChannelSchema,
  partnerSchema,
  type ApiKeyResult,
  type Client,
  type ListPage,
  type ListParams,
  type Partner,
  type PartnerChannel,
  type SharedClientNumber,
} from "./types";

// docs/hub-contract.md §7 calls the suffix UNVERIFIED; the V2 reference page "Account Sharing" names
// POST /api/v2/partners/{partner_id}/account_sharing/numbers. Kept an option in case it moves.
export const DEFAULT_ONBOARD_SHARED_WABA_PATH = "/account_sharing/numbers";
// UNVERIFIED: partner token lifetime is undocumented when `expires_in` is absent (contract 5.1).
const DEFAULT_TOKEN_TTL_S = 3_600;
const TOKEN_EARLY_REFRESH_MS = 60_000;

export type PartnerAuth = { kind: "api_key"; apiKey: string } | { kind: "token"; username: string; password: string };

export type PartnerApiOptions = Omit<HubTransportOptions, "baseUrl"> & {
  /** Host only, e.g. https://hub.360dialog.io; paths add `/api/v2`. */
  baseUrl: string;
  partnerId: string;
  auth: PartnerAuth;
  onboardSharedWabaPath?: string;
};

export type OnboardSharedWabaInput = {
  solutionId: string;
  wabaExternalId: string;
  tier?: "basic" | "regular" | "premium" | "" | null;
} & ({ wabaBusinessId: string; clientId?: string } | { clientId: string; wabaBusinessId?: string });

export type OnboardSharedWabaResult = {
  solutionId?: string;
  wabaExternalId?: string;
  wabaBusinessId?: string;
  clientId?: string;
  tier?: string;
  channelExternalId?: string;
  message?: string;
  raw: Record<string, unknown>;
};

type Schema = z.ZodType;
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined);
const compact = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional().catch(undefined),
});

const webhookUrlSchema = z.looseObject({ webhook_url: optString() }).transform((w) => w.webhook_url);

const apiKeyItemSchema = z.looseObject({ api_key: z.string().min(1), address: optString(), id: optText(), app_id: optText() });
// CONFLICT (contract 5.3): older docs wrap the new key in `api_keys: [...]`, clients in the wild read it flat.
const apiKeySchema = z
  .preprocess((body) => {
    if (!isRecord(body) || "api_key" in body || !Array.isArray(body.api_keys)) return body;
    return body.api_keys.find((k) => isRecord(k) && "api_key" in k) ?? body.api_keys[0];
  }, apiKeyItemSchema)
  .transform(
    (w): ApiKeyResult => ({
      apiKey: w.api_key,
      address: w.address && /^https?:\/\//i.test(w.address) ? w.address : DEFAULT_MESSAGING_BASE_URL,
      id: w.id,
      appId: w.app_id,
    }),
  );

const SHARED_NUMBER_LIST_KEYS = ["shared_client_numbers", "numbers", "channels", "partner_channels", "data", "items", "results"];
const SHARED_FLAG_KEYS = ["shared", "is_shared", "permission", "has_permission", "permitted", "is_permitted", "partner_permission", "api_key_permission"];

function toSharedNumber(raw: Record<string, unknown>): SharedClientNumber {
  const channel = isRecord(raw.channel) ? raw.channel : {};
  const setup = isRecord(raw.setup_info) ? raw.setup_info : {};
  const flag = SHARED_FLAG_KEYS.map((k) => raw[k]).find((v) => typeof v === "boolean");
  return {
    // A 360dialog "number" is a channel, so a bare `id` is read as the channel id.
    channelId: str(raw.channel_id) ?? str(channel.id) ?? str(raw.id),
    phoneNumber: str(raw.phone_number) ?? str(raw.number) ?? str(setup.phone_number) ?? str(raw.display_phone_number),
    status: str(raw.status) ?? str(channel.status),
    shared: typeof flag === "boolean" ? flag : undefined,
    raw,
  };
}

// UNVERIFIED (contract 5.3): the response shape is undocumented; take the array wherever it sits.
const sharedNumbersSchema = z.unknown().transform((body, ctx): SharedClientNumber[] => {
  const list = Array.isArray(body)
    ? body
    : isRecord(body)
      ? ((SHARED_NUMBER_LIST_KEYS.map((k) => body[k]).find(Array.isArray) ?? Object.values(body).find(Array.isArray)) as unknown[] | undefined)
      : undefined;
  if (!list) {
    ctx.addIssue({ code: "custom", message: "no list of numbers in the response" });
    return z.NEVER;
  }
  return list
    .filter(isRecord)
    .map(toSharedNumber)
    .filter((n) => n.channelId !== undefined || n.phoneNumber !== undefined);
});

const onboardResultSchema = z
  .looseObject({
    solution_id: optText(),
    waba_external_id: optText(),
    waba_business_id: optText(),
    client_id: optText(),
    tier: optString(),
    channel_external_id: optText(),
    message: optString(),
  })
  .transform(
    (w): OnboardSharedWabaResult => ({
      solutionId: w.solution_id,
      wabaExternalId: w.waba_external_id,
      wabaBusinessId: w.waba_business_id,
      clientId: w.client_id,
      tier: w.tier,
      channelExternalId: w.channel_external_id,
      message: w.message,
      raw: w,
    }),
  );

type Send = <S extends Schema>(req: HubRequest<S>) => Promise<z.output<S>>;

function createBearerSender(transport: HubTransport, auth: Extract<PartnerAuth, { kind: "token" }>, now: () => number): Send {
  let cached: { value: string; refreshAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const issuedAt = now();
    const res = await transport.request({
      method: "POST",
      path: "/api/v2/token",
      body: { username: auth.username, password: auth.password },
      schema: tokenSchema,
      retry: true,
      secrets: [auth.password],
    });
    const ttlMs = (res.expires_in ?? DEFAULT_TOKEN_TTL_S) * 1000;
    cached = { value: res.access_token, refreshAt: issuedAt + ttlMs - Math.min(TOKEN_EARLY_REFRESH_MS, ttlMs / 2) };
    return res.access_token;
  }

  function token(): Promise<string> {
    if (cached && now() < cached.refreshAt) return Promise.resolve(cached.value);
    inflight ??= fetchToken().finally(() => (inflight = undefined));
    return inflight;
  }

  return async (req) => {
    const used = await token();
    try {
      return await transport.request({ ...req, headers: { Authorization: `Bearer ${used}` } });
    } catch (error) {
      // A 401 is refused before any effect, so one retry with a fresh token is safe even for a POST.
      if (!isHubError(error) || error.status !== 401) throw error;
      if (cached?.value === used) cached = undefined;
      const fresh = await token();
      return transport.request({ ...req, headers: { Authorization: `Bearer ${fresh}` }, secrets: [...(req.secrets ?? []), used] });
    }
  };
}

export type PartnerApi = ReturnType<typeof createPartnerApi>;

export function createPartnerApi(options: PartnerApiOptions) {
  const { partnerId, auth, onboardSharedWabaPath = DEFAULT_ONBOARD_SHARED_WABA_PATH, ...transportOptions } = options;
  const transport = createHubTransport(transportOptions);
  const base = `/api/v2/partners/${encodeURIComponent(partnerId)}`;
  const call: Send =
    auth.kind === "api_key"
      ? (req) => transport.request({ ...req, headers: { "X-API-Key": auth.apiKey } })
      : createBearerSender(transport, auth, options.now ?? Date.now);

  const listClients = (params: ListParams = {}): Promise<ListPage<Client>> =>
    call({ method: "GET", path: `${base}/clients`, query: listQuery(params), schema: listPageSchema("clients", clientSchema) });

  const listChannels = (params: ListParams = {}): Promise<ListPage<PartnerChannel>> =>
    call({ method: "GET", path: `${base}/channels`, query: listQuery(params), schema: listPageSchema("partner_channels", partnerChannelSchema) });

  return {
    getPartner: (): Promise<Partner> => call({ method: "GET", path: base, schema: partnerSchema }),

    updatePartner: (input: { partnerRedirectUrl?: string; webhookUrl?: string }): Promise<Partner> =>
      call({
        method: "PATCH",
        path: base,
        body: compact({ partner_redirect_url: input.partnerRedirectUrl, webhook_url: input.webhookUrl }),
        schema: partnerSchema,
        retry: true,
      }),

    getWebhookUrl: (): Promise<string | undefined> => call({ method: "GET", path: `${base}/webhook_url`, schema: webhookUrlSchema }),

    setWebhookUrl: (url: string): Promise<string | undefined> =>
      call({ method: "POST", path: `${base}/webhook_url`, body: { webhook_url: url }, schema: webhookUrlSchema, retry: true }),

    listClients,

    // The hub may treat a filter loosely, so the id is matched exactly here.
    getClient: async (id: string): Promise<Client | null> =>
      (await listClients({ filters: { id } })).items.find((c) => c.id === id) ?? null,

    updateClient: (id: string, input: { partnerPayload?: string; maxChannels?: number }): Promise<Client> =>
      call({
        method: "PATCH",
        path: `${base}/clients/${encodeURIComponent(id)}`,
        body: compact({ partner_payload: input.partnerPayload, max_channels: input.maxChannels }),
        schema: clientSchema,
        retry: true,
      }),

    listChannels,

    // UNVERIFIED (contract 5.3): the single-channel path; filtering the list is the proven way.
    getChannel: async (id: string): Promise<PartnerChannel | null> =>
      (await listChannels({ filters: { id } })).items.find((c) => c.id === id) ?? null,

    /** Pages by offset until `total` (or a short/empty page); yields each channel once. */
    async *listAllChannels(filters?: Record<string, unknown>, paging: { pageSize?: number; sort?: string } = {}): AsyncGenerator<PartnerChannel> {
      const pageSize = paging.pageSize ?? 100;
      const seen = new Set<string>();
      for (let offset = 0; ; ) {
        const page = await listChannels({ limit: pageSize, offset, sort: paging.sort, filters });
        for (const channel of page.items) {
          if (seen.has(channel.id)) continue;
          seen.add(channel.id);
          yield channel;
        }
        offset += page.items.length;
        const done = page.total === undefined ? page.items.length < pageSize : offset >= page.total;
        if (done || page.items.length === 0) return;
      }
    },

    /**
     * Edits one template of a WABA through the Partner API (docs/templates-meta.md §2): the address a real
     * integration uses (kairon's `BSP360Dialog.edit_template`, `PATCH …/waba_accounts/{id}/waba_templates/{id}`),
     * not in 360dialog's stored reference: UNVERIFIED, chosen per hub. Not retried, like create.
     */
    editWabaTemplate: (wabaAccountId: string, templateId: string, body: Record<string, unknown>): Promise<unknown> => {
      if (wabaAccountId === "" || templateId === "") throw new TypeError("editWabaTemplate needs a WABA account id and a template id");
      return call({
        method: "PATCH",
        path: `${base}/waba_accounts/${encodeURIComponent(wabaAccountId)}/waba_templates/${encodeURIComponent(templateId)}`,
        body,
        schema: z.unknown(),
        retry: false,
      });
    },

    /** Never retried here: a new key revokes the old ones, so a retry belongs to the caller's claim (docs/security.md R6). */
    generateApiKey: (channelId: string): Promise<ApiKeyResult> =>
      call({ method: "POST", path: `${base}/channels/${encodeURIComponent(channelId)}/api_keys`, schema: apiKeySchema, retry: false }),

    listSharedClientNumbers: (clientId: string): Promise<SharedClientNumber[]> =>
      call({ method: "GET", path: `${base}/clients/${encodeURIComponent(clientId)}/shared_client_numbers`, schema: sharedNumbersSchema }),

    updateAccountSharingSettings: async (input: { solutionId: string | null; businessManagerId: string | null }): Promise<void> => {
      await call({
        method: "PATCH",
        path: `${base}/settings/account_sharing`,
        body: { solution_id: input.solutionId, business_manager_id: input.businessManagerId },
        schema: z.unknown(),
        retry: true,
      });
    },

    onboardSharedWaba: (input: OnboardSharedWabaInput): Promise<OnboardSharedWabaResult> => {
      if (!input.wabaBusinessId && !input.clientId) throw new TypeError("onboardSharedWaba needs wabaBusinessId or clientId");
      return call({
        method: "POST",
        path: `${base}${onboardSharedWabaPath}`,
        body: compact({
          solution_id: input.solutionId,
          waba_external_id: input.wabaExternalId,
          waba_business_id: input.wabaBusinessId,
          client_id: input.clientId,
          tier: input.tier,
        }),
        schema: onboardResultSchema,
        retry: false,
      });
    },
  };
}
