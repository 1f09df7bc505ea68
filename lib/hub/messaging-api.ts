import "server-only";
import { z } from "zod";
import { createHubTransport, isHubError, type HubRequest, type HubTransportOptions } from "./http";
import {
  DEFAULT_MESSAGING_BASE_URL,
  listPageSchema,
  listQuery,
  optString,
  templateSchema,
  type ListPage,
  type ListParams,
  type Template,
  type TemplateCategory,
  type TemplateComponent,
} from "./types";

export { DEFAULT_MESSAGING_BASE_URL };

export type MessagingApiOptions = Omit<HubTransportOptions, "baseUrl"> & {
  /** The API-key response's `address` for this channel. */
  baseUrl?: string;
  apiKey: string;
};

export type CreateTemplateInput = {
  name: string;
  category: TemplateCategory;
  language: string;
  components: TemplateComponent[];
  allowCategoryChange?: boolean;
  libraryTemplateName?: string;
  libraryTemplateButtonInputs?: unknown[];
  /** "NAMED" when the texts use `{{name}}` variables (docs/templates-meta.md §3); omitted means positional. */
  parameterFormat?: "NAMED" | "POSITIONAL";
};

/** What an edit may change: Meta keeps name and language (docs/templates-meta.md §2). */
export type EditTemplateInput = { components: TemplateComponent[]; category?: TemplateCategory; parameterFormat?: "NAMED" | "POSITIONAL" };

export type MessagingWebhook = { url?: string; headers?: Record<string, string> };

const TEMPLATES_PATH = "/v1/configs/templates";
const WEBHOOK_PATH = "/v1/configs/webhook";
/** The webhook of the number's whole WABA (docs/waba-webhook.md §1): Meta's template and account events land there. */
const WABA_WEBHOOK_PATH = "/waba_webhook";

const webhookSchema = z
  .looseObject({ url: optString(), headers: z.record(z.string(), z.string()).optional().catch(undefined) })
  .transform((w): MessagingWebhook => ({ url: w.url, headers: w.headers }));

// Create answers with 360dialog's template object, or Meta's bare `{id, status, category}` (UNVERIFIED which).
const createdTemplateSchema = z.looseObject({ name: optString() });

// Meta's edit answers `{success: true}` (and sometimes id/status/category); nothing in it is required.
const editedTemplateSchema = z
  .looseObject({ id: optString(), status: optString(), category: optString(), rejected_reason: optString() })
  .transform((t): Partial<Template> => ({ id: t.id, status: t.status, category: t.category, rejectedReason: t.rejected_reason }));


/** The body of an edit, whichever address takes it: what Meta lets change (docs/templates-meta.md §2). */
export function editBody(input: EditTemplateInput): Record<string, unknown> {
  return {
    components: input.components,
    ...(input.category === undefined ? {} : { category: input.category }),
    ...(input.parameterFormat === undefined ? {} : { parameter_format: input.parameterFormat }),
  };
}

/** Read leniently: an edit's answer through any address (Meta's `{success: true}`, or the template). */
export function editedTemplateOf(answer: unknown): Partial<Template> {
  const parsed = editedTemplateSchema.safeParse(answer ?? {});
  return parsed.success ? parsed.data : {};
}

export type MessagingApi = ReturnType<typeof createMessagingApi>;

export function createMessagingApi(options: MessagingApiOptions) {
  const { apiKey, baseUrl = DEFAULT_MESSAGING_BASE_URL, ...transportOptions } = options;
  const transport = createHubTransport({ ...transportOptions, baseUrl });
  const call = <S extends z.ZodType>(req: HubRequest<S>): Promise<z.output<S>> =>
    transport.request({ ...req, headers: { "D360-API-KEY": apiKey } });

  const listTemplates = (params: ListParams = {}): Promise<ListPage<Template>> =>
    call({ method: "GET", path: TEMPLATES_PATH, query: listQuery(params), schema: listPageSchema("waba_templates", templateSchema) });

  return {
    listTemplates,

    /** Not retried: a lost answer is settled by listing, not by submitting twice. */
    createTemplate: async (input: CreateTemplateInput): Promise<Template> => {
      const body = {
        name: input.name,
        category: input.category,
        language: input.language,
        components: input.components,
        ...(input.allowCategoryChange === undefined ? {} : { allow_category_change: input.allowCategoryChange }),
        ...(input.libraryTemplateName === undefined ? {} : { library_template_name: input.libraryTemplateName }),
        ...(input.libraryTemplateButtonInputs === undefined ? {} : { library_template_button_inputs: input.libraryTemplateButtonInputs }),
        ...(input.parameterFormat === undefined ? {} : { parameter_format: input.parameterFormat }),
      };
      const created = await call({ method: "POST", path: TEMPLATES_PATH, body, schema: createdTemplateSchema, retry: false });
      const answered = Object.fromEntries(Object.entries(created).filter(([, v]) => v !== undefined));
      return templateSchema.parse({ name: input.name, language: input.language, category: input.category, components: input.components, ...answered });
    },

    /**
     * Edits one template in place by its id (docs/templates-meta.md §2: Meta edits rejected and paused templates
     * freely, an approved one once a day and ten times a month). The path is UNVERIFIED: 360dialog documents
     * editing in its Hub and a real integration edits through the Partner API's waba_templates/{id}; a hub that
     * does not offer it answers 404/405, which callers read as "not possible here". Not retried, like create.
     */
    editTemplate: async (templateId: string, input: EditTemplateInput, options: { method?: "PATCH" | "POST" } = {}): Promise<Partial<Template>> => {
      if (templateId === "") throw new TypeError("template id is empty");
      // PATCH (the default) or POST, as the hub's setting says (docs/templates-meta.md §2.2): Meta's own edit is a
      // POST on the template id; which one 360dialog's Messaging API takes is not documented.
      const answer = await call({ method: options.method ?? "PATCH", path: `${TEMPLATES_PATH}/${encodeURIComponent(templateId)}`, body: editBody(input), schema: editedTemplateSchema, retry: false });
      return answer;
    },

    /** Deletes every language of the template `name` (docs/hub-contract.md §6). The portal never deletes to resubmit (docs/templates-meta.md §2). */
    deleteTemplate: async (name: string): Promise<void> => {
      if (name === "") throw new TypeError("template name is empty");
      await call({ method: "DELETE", path: `${TEMPLATES_PATH}/${encodeURIComponent(name)}`, schema: z.unknown() });
    },

    getWebhook: (): Promise<MessagingWebhook> => call({ method: "GET", path: WEBHOOK_PATH, schema: webhookSchema }),

    setWebhook: (input: { url: string; headers?: Record<string, string> }): Promise<MessagingWebhook> =>
      call({
        method: "POST",
        path: WEBHOOK_PATH,
        body: input.headers === undefined ? { url: input.url } : { url: input.url, headers: input.headers },
        schema: webhookSchema,
        retry: true,
      }),

    getWabaWebhook: (): Promise<MessagingWebhook> => call({ method: "GET", path: WABA_WEBHOOK_PATH, schema: webhookSchema }),

    /** Sets the WABA's webhook with this number's key; idempotent, so retried like setWebhook. */
    setWabaWebhook: (input: { url: string; headers?: Record<string, string> }): Promise<MessagingWebhook> =>
      call({
        method: "POST",
        path: WABA_WEBHOOK_PATH,
        body: input.headers === undefined ? { url: input.url } : { url: input.url, headers: input.headers },
        schema: webhookSchema,
        retry: true,
      }),

    /** true when the key works, false when the hub refuses it (401/403); other failures throw. */
    checkApiKey: async (): Promise<boolean> => {
      try {
        await listTemplates({ limit: 1 });
        return true;
      } catch (error) {
        if (isHubError(error) && (error.status === 401 || error.status === 403)) return false;
        throw error;
      }
    },
  };
}
