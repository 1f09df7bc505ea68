import { z } from "zod";
import { isRecord } from "./json";

// Meta's WABA webhook shape, as 360dialog delivers it to the webhook set per WABA with `POST /waba_webhook`
// (docs/waba-webhook.md §1): `{ object: "whatsapp_business_account", entry: [{ id: <WABA id>, time, changes:
// [{ field, value }] }] }`. Read leniently like the partner events (events.ts): every field optional, a field of
// the wrong type dropped, unknown fields kept as `unknown`, ids accepted as numbers or strings (Meta sends the
// template id as a number).

type Raw = Record<string, unknown>;

const MAX_ID_CHARS = 256;
const finite = z.number().refine(Number.isFinite);
const text = z.union([z.string(), finite.transform(String)]);
const optText = text
  .transform((s) => (s.trim() === "" ? undefined : s))
  .optional()
  .catch(undefined);
const optId = text.pipe(z.string().regex(/\S/).max(MAX_ID_CHARS)).optional().catch(undefined);

export const META_OBJECT = "whatsapp_business_account";

/** Fields the portal applies; any other field is kept as `unknown` (recorded, no effect). */
export const META_FIELDS = [
  "message_template_status_update",
  "template_category_update",
  "message_template_quality_update",
  "phone_number_quality_update",
  "phone_number_name_update",
  "account_update",
  "account_alerts",
  "business_capability_update",
  "messages",
] as const;

type Common = {
  /** entry[].id: Meta's WhatsApp Business Account id. */
  wabaId?: string;
  /** entry[].time: seconds since the epoch, when Meta sent the change. */
  time?: Date;
  /** The change's value as received. */
  value: Raw;
};

export type MetaTemplateRef = { templateId?: string; templateName?: string; language?: string };

export type MetaChange = Common &
  (
    | ({ field: "message_template_status_update"; status?: string; reason?: string; category?: string; disableDate?: string; title?: string; description?: string } & MetaTemplateRef)
    | ({
        field: "template_category_update";
        previousCategory?: string;
        newCategory?: string;
        /** Only in the notice of an impending change: the category the template will get (newCategory is then the current one). */
        correctCategory?: string;
        categoryUpdateTimestamp?: string;
      } & MetaTemplateRef)
    | ({ field: "message_template_quality_update"; previousScore?: string; newScore?: string } & MetaTemplateRef)
    | { field: "phone_number_quality_update"; displayPhoneNumber?: string; event?: string; currentLimit?: string; oldLimit?: string; maxDailyConversations?: string }
    | { field: "phone_number_name_update"; displayPhoneNumber?: string; decision?: string; requestedName?: string; rejectionReason?: string }
    | {
        field: "account_update";
        phoneNumber?: string;
        event?: string;
        banState?: string;
        banDate?: string;
        violationType?: string;
        restrictions: { type?: string; expiration?: string }[];
      }
    | { field: "account_alerts"; entityType?: string; entityId?: string; severity?: string; status?: string; alertType?: string; description?: string }
    | { field: "business_capability_update"; maxDailyConversations?: string; maxPhoneNumbersPerBusiness?: string; maxPhoneNumbersPerWaba?: string }
    | { field: "messages"; phoneNumberId?: string; displayPhoneNumber?: string; messages: number; statuses: number; errors: number }
    | { field: "unknown"; name: string }
  );

export type MetaField = Exclude<MetaChange["field"], "unknown">;
export type MetaChangeOf<F extends MetaChange["field"]> = Extract<MetaChange, { field: F }>;

export type MetaWebhook = { changes: MetaChange[] };

const templateRef = z.looseObject({ message_template_id: optId, message_template_name: optText, message_template_language: optText });
/** The template a template event names: Meta's id, else name + language. */
const templateOf = (v: z.infer<typeof templateRef>) => ({ templateId: v.message_template_id, templateName: v.message_template_name, language: v.message_template_language });

const statusSchema = templateRef.extend({
  event: optText,
  reason: optText,
  message_template_category: optText,
  disable_info: z.looseObject({ disable_date: optText }).optional().catch(undefined),
  other_info: z.looseObject({ title: optText, description: optText }).optional().catch(undefined),
});
const categorySchema = templateRef.extend({ previous_category: optText, new_category: optText, correct_category: optText, category_update_timestamp: optText });
const templateQualitySchema = templateRef.extend({ previous_quality_score: optText, new_quality_score: optText });
const numberQualitySchema = z.looseObject({
  display_phone_number: optText,
  event: optText,
  current_limit: optText,
  old_limit: optText,
  max_daily_conversation_per_phone: optText,
  max_daily_conversations_per_business: optText,
});
const nameSchema = z.looseObject({ display_phone_number: optText, decision: optText, requested_verified_name: optText, rejection_reason: optText });
const accountSchema = z.looseObject({
  phone_number: optText,
  event: optText,
  ban_info: z.looseObject({ waba_ban_state: optText, waba_ban_date: optText }).optional().catch(undefined),
  violation_info: z.looseObject({ violation_type: optText }).optional().catch(undefined),
  restriction_info: z
    .array(z.unknown())
    .optional()
    .catch(undefined),
});
const restrictionSchema = z.looseObject({ restriction_type: optText, expiration: optText });
const alertSchema = z.looseObject({
  entity_type: optText,
  entity_id: optId,
  alert_info: z.looseObject({ alert_severity: optText, alert_status: optText, alert_type: optText, alert_description: optText }).optional().catch(undefined),
});
const capabilitySchema = z.looseObject({
  max_daily_conversation_per_phone: optText,
  max_daily_conversations_per_business: optText,
  max_phone_numbers_per_business: optText,
  max_phone_numbers_per_waba: optText,
});
const messagesSchema = z.looseObject({
  metadata: z.looseObject({ phone_number_id: optId, display_phone_number: optText }).optional().catch(undefined),
});

const read = <S extends z.ZodType>(schema: S, value: Raw): z.output<S> => {
  const parsed = schema.safeParse(value);
  return (parsed.success ? parsed.data : {}) as z.output<S>;
};

const countOf = (value: unknown) => (Array.isArray(value) ? value.length : 0);

/** One `changes[]` item, read by its `field`; never throws. */
export function parseMetaChange(field: string, value: Raw, common: Omit<Common, "value">): MetaChange {
  const base = { ...common, value };
  switch (field) {
    case "message_template_status_update": {
      const v = read(statusSchema, value);
      return {
        ...base,
        field,
        ...templateOf(v),
        status: v.event,
        reason: v.reason,
        category: v.message_template_category,
        disableDate: v.disable_info?.disable_date,
        title: v.other_info?.title,
        description: v.other_info?.description,
      };
    }
    case "template_category_update": {
      const v = read(categorySchema, value);
      return {
        ...base,
        field,
        ...templateOf(v),
        previousCategory: v.previous_category,
        newCategory: v.new_category,
        correctCategory: v.correct_category,
        categoryUpdateTimestamp: v.category_update_timestamp,
      };
    }
    case "message_template_quality_update": {
      const v = read(templateQualitySchema, value);
      return {
        ...base,
        field,
        ...templateOf(v),
        previousScore: v.previous_quality_score,
        newScore: v.new_quality_score,
      };
    }
    case "phone_number_quality_update": {
      const v = read(numberQualitySchema, value);
      return {
        ...base,
        field,
        displayPhoneNumber: v.display_phone_number,
        event: v.event,
        currentLimit: v.current_limit,
        oldLimit: v.old_limit,
        maxDailyConversations: v.max_daily_conversations_per_business ?? v.max_daily_conversation_per_phone,
      };
    }
    case "phone_number_name_update": {
      const v = read(nameSchema, value);
      return { ...base, field, displayPhoneNumber: v.display_phone_number, decision: v.decision, requestedName: v.requested_verified_name, rejectionReason: v.rejection_reason };
    }
    case "account_update": {
      const v = read(accountSchema, value);
      const restrictions = (v.restriction_info ?? []).filter(isRecord).map((r) => {
        const x = read(restrictionSchema, r);
        return { type: x.restriction_type, expiration: x.expiration };
      });
      return {
        ...base,
        field,
        phoneNumber: v.phone_number,
        event: v.event,
        banState: v.ban_info?.waba_ban_state,
        banDate: v.ban_info?.waba_ban_date,
        violationType: v.violation_info?.violation_type,
        restrictions,
      };
    }
    case "account_alerts": {
      const v = read(alertSchema, value);
      const a = v.alert_info;
      return {
        ...base,
        field,
        entityType: v.entity_type,
        entityId: v.entity_id,
        severity: a?.alert_severity,
        status: a?.alert_status,
        alertType: a?.alert_type,
        description: a?.alert_description,
      };
    }
    case "business_capability_update": {
      const v = read(capabilitySchema, value);
      return {
        ...base,
        field,
        maxDailyConversations: v.max_daily_conversations_per_business ?? v.max_daily_conversation_per_phone,
        maxPhoneNumbersPerBusiness: v.max_phone_numbers_per_business,
        maxPhoneNumbersPerWaba: v.max_phone_numbers_per_waba,
      };
    }
    case "messages": {
      const v = read(messagesSchema, value);
      return {
        ...base,
        field,
        phoneNumberId: v.metadata?.phone_number_id,
        displayPhoneNumber: v.metadata?.display_phone_number,
        messages: countOf(value.messages),
        statuses: countOf(value.statuses),
        errors: countOf(value.errors),
      };
    }
    default:
      return { ...base, field: "unknown", name: field.slice(0, 100) };
  }
}

/** Whether a parsed JSON body is in Meta's WABA webhook shape. */
export function isMetaWebhook(json: unknown): json is Raw & { entry: unknown[] } {
  return isRecord(json) && json.object === META_OBJECT && Array.isArray(json.entry);
}

/** Every change of a Meta WABA webhook body, in order; null when the body is not in that shape. Never throws. */
export function parseMetaWebhook(json: unknown): MetaWebhook | null {
  if (!isMetaWebhook(json)) return null;
  const changes: MetaChange[] = [];
  for (const entry of json.entry) {
    if (!isRecord(entry) || !Array.isArray(entry.changes)) continue;
    const wabaId = optId.parse(entry.id);
    const seconds = finite.safeParse(entry.time);
    const time = seconds.success ? new Date(seconds.data * 1000) : undefined;
    for (const change of entry.changes) {
      if (!isRecord(change) || typeof change.field !== "string" || change.field.trim() === "") continue;
      changes.push(parseMetaChange(change.field, isRecord(change.value) ? change.value : {}, { wabaId, time }));
    }
  }
  return { changes };
}

/** The inbox's name for a delivery: its fields, in order, each once ("message_template_status_update", "messages"…). */
export function metaEventName(webhook: MetaWebhook): string {
  const names = [...new Set(webhook.changes.map((c) => (c.field === "unknown" ? c.name : c.field)))];
  return names.length ? names.join("+").slice(0, 200) : "whatsapp_business_account";
}

/** Whether any change is message traffic (incoming messages, statuses, errors), to be forwarded as received. */
export function carriesMessages(webhook: MetaWebhook): boolean {
  return webhook.changes.some((c) => c.field === "messages");
}

/**
 * The header a WABA webhook delivery carries to prove it comes through the webhook the portal set: 360dialog sends
 * the `headers` given with `POST /waba_webhook` on every delivery (docs/waba-webhook.md §2). No underscore: 360dialog
 * refuses those in webhook headers.
 */
export const WABA_SECRET_HEADER = "x-portal-waba-secret";
