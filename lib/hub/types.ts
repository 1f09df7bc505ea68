import { z } from "zod";

/*
 * Domain types for what the Partner and Messaging APIs return, and the lenient zod schemas that read
 * them (docs/hub-contract.md §11.3: read leniently, write strictly). A field of the wrong type reads as absent
 * instead of failing the whole response; `raw` keeps everything the hub sent, unknown keys included.
 */

/** Cloud API host; the API-key response's `address` overrides it per channel (docs/hub-contract.md §6). */
export const DEFAULT_MESSAGING_BASE_URL = "https://waba-v2.360dialog.io";

export type ListParams = {
  limit?: number;
  offset?: number;
  /** Field name, `-` prefix for descending, e.g. "-created_at". */
  sort?: string;
  /** Field → value, dotted paths allowed; sent JSON-encoded (contract 5.2). */
  filters?: Record<string, unknown>;
};

export function listQuery({ limit, offset, sort, filters }: ListParams): Record<string, string | number | undefined> {
  return { limit, offset, sort, filters: filters === undefined ? undefined : JSON.stringify(filters) };
}

export type ListPage<T> = { items: T[]; total?: number; count?: number; limit?: number; offset?: number };

export type Partner = {
  id?: string;
  brandName?: string;
  logoUrl?: string;
  partnerRedirectUrl?: string;
  webhookUrl?: string;
  country?: string;
  raw: Record<string, unknown>;
};

export type Client = {
  id: string;
  name?: string;
  status?: string;
  maxChannels?: number;
  organisation?: string;
  partnerPayload?: string;
  email?: string;
  createdAt?: string;
  modifiedAt?: string;
  raw: Record<string, unknown>;
};

export type PartnerChannel = {
  id: string;
  clientId?: string;
  /** Open set (contract 5.4): unknown values are kept as sent. */
  status?: string;
  accountMode?: string;
  phoneNumber?: string;
  phoneName?: string;
  wabaAccountId?: string;
  fbAccountStatus?: string;
  currentLimit?: string;
  currentQualityRating?: string;
  createdAt?: string;
  modifiedAt?: string;
  terminatedAt?: string;
  client?: { id?: string; name?: string; partnerPayload?: string; email?: string };
  raw: Record<string, unknown>;
};

/** No `raw`: the object holds the key, and nothing else in it is worth the risk of logging it. */
export type ApiKeyResult = { apiKey: string; address: string; id?: string; appId?: string };

export type SharedClientNumber = {
  channelId?: string;
  phoneNumber?: string;
  status?: string;
  /** Whether the partner may generate an API key for it; undefined when the hub did not say. */
  shared?: boolean;
  raw: Record<string, unknown>;
};

export type TemplateCategory = "AUTHENTICATION" | "MARKETING" | "UTILITY";

export type TemplateComponent = { type: "HEADER" | "BODY" | "FOOTER" | "BUTTONS"; [key: string]: unknown };

export type Template = {
  id?: string;
  name: string;
  language?: string;
  category?: string;
  /** As sent: 360dialog lists use lowercase, Meta's webhook uppercase; unknown values kept. */
  status?: string;
  rejectedReason?: string;
  namespace?: string;
  components: unknown[];
  modifiedAt?: string;
  raw: Record<string, unknown>;
};

// Lenient field readers: missing or mistyped → undefined.
export const optString = () => z.string().optional().catch(undefined);
/** Strings, or numbers kept as their decimal text (IDs and limits whose format is UNVERIFIED). */
export const optText = () =>
  z
    .union([z.string(), z.number().transform(String)])
    .optional()
    .catch(undefined);
export const optInt = () =>
  z
    .union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)])
    .optional()
    .catch(undefined);
export const idString = z.union([z.string().min(1), z.number().transform(String)]);
const optObject = <S extends z.core.$ZodLooseShape>(shape: S) => z.looseObject(shape).optional().catch(undefined);

export function listPageSchema<T extends z.ZodType>(itemsKey: string, item: T) {
  const shape: Record<string, z.ZodType> = {
    count: optInt(),
    total: optInt(),
    limit: optInt(),
    offset: optInt(),
    [itemsKey]: z.array(item).optional(),
  };
  return z.preprocess(
    (body) => (Array.isArray(body) ? { [itemsKey]: body } : (body ?? {})),
    z.looseObject(shape).transform(
      (env): ListPage<z.output<T>> => ({
        items: (env[itemsKey] ?? []) as z.output<T>[],
        total: env.total as number | undefined,
        count: env.count as number | undefined,
        limit: env.limit as number | undefined,
        offset: env.offset as number | undefined,
      }),
    ),
  );
}

export const partnerSchema = z
  .looseObject({
    id: optText(),
    brand_name: optString(),
    logo_url: optString(),
    partner_redirect_url: optString(),
    webhook_url: optString(),
    country: optString(),
  })
  .transform(
    (w): Partner => ({
      id: w.id,
      brandName: w.brand_name,
      logoUrl: w.logo_url,
      partnerRedirectUrl: w.partner_redirect_url,
      webhookUrl: w.webhook_url,
      country: w.country,
      raw: w,
    }),
  );

export const clientSchema = z
  .looseObject({
    id: idString,
    name: optString(),
    status: optString(),
    max_channels: optInt(),
    organisation: optString(),
    partner_payload: optString(),
    contact_info: optObject({ email: optString() }),
    created_at: optString(),
    modified_at: optString(),
  })
  .transform(
    (w): Client => ({
      id: w.id,
      name: w.name,
      status: w.status,
      maxChannels: w.max_channels,
      organisation: w.organisation,
      partnerPayload: w.partner_payload,
      email: w.contact_info?.email,
      createdAt: w.created_at,
      modifiedAt: w.modified_at,
      raw: w,
    }),
  );

export const partnerChannelSchema = z
  .looseObject({
    id: idString,
    client_id: optText(),
    status: optString(),
    account_mode: optString(),
    current_limit: optText(),
    current_quality_rating: optText(),
    created_at: optString(),
    modified_at: optString(),
    terminated_at: optString(),
    client: optObject({
      id: optText(),
      name: optString(),
      partner_payload: optString(),
      contact_info: optObject({ email: optString() }),
    }),
    setup_info: optObject({ phone_number: optString(), phone_name: optString() }),
    waba_account: optObject({ id: optText(), fb_account_status: optString() }),
  })
  .transform(
    (w): PartnerChannel => ({
      id: w.id,
      clientId: w.client_id ?? w.client?.id,
      status: w.status,
      accountMode: w.account_mode,
      phoneNumber: w.setup_info?.phone_number,
      phoneName: w.setup_info?.phone_name,
      wabaAccountId: w.waba_account?.id,
      fbAccountStatus: w.waba_account?.fb_account_status,
      currentLimit: w.current_limit,
      currentQualityRating: w.current_quality_rating,
      createdAt: w.created_at,
      modifiedAt: w.modified_at,
      terminatedAt: w.terminated_at,
      client: w.client && {
        id: w.client.id,
        name: w.client.name,
        partnerPayload: w.client.partner_payload,
        email: w.client.contact_info?.email,
      },
      raw: w,
    }),
  );

export const templateSchema = z
  .looseObject({
    id: optText(),
    name: z.string(),
    language: optString(),
    category: optString(),
    status: optString(),
    rejected_reason: optString(),
    namespace: optString(),
    components: z.array(z.unknown()).optional().catch(undefined),
    modified_at: optString(),
  })
  .transform(
    (w): Template => ({
      id: w.id,
      name: w.name,
      language: w.language,
      category: w.category,
      status: w.status,
      rejectedReason: w.rejected_reason,
      namespace: w.namespace,
      components: w.components ?? [],
      modifiedAt: w.modified_at,
      raw: w,
    }),
  );
