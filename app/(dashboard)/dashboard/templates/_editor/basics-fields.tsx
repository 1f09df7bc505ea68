import { inputClass } from "@/app/_components/ui";
import { TEMPLATE_CATEGORIES, type TemplateCategoryName, type TemplateDraft } from "@/lib/templates/draft";
import { TextField } from "./controls";
import { CHANNEL_FIELD, fieldId } from "./field-paths";
import { controlProps, FieldFindings, type FindingMap } from "./finding-list";

export type EditorChannel = { id: string; label: string; clientName: string | null; hubName: string };

export function channelText(channel: EditorChannel): string {
  return [channel.label, channel.clientName, channel.hubName].filter((part) => part !== null && part !== "").join(" · ");
}

export function ChannelField(props: {
  channels: readonly EditorChannel[];
  channelId: string;
  locked: boolean;
  onChange: (id: string) => void;
  findings: FindingMap;
}) {
  const { channels, channelId, locked, onChange, findings } = props;
  const a11y = controlProps(findings, CHANNEL_FIELD, [`${fieldId(CHANNEL_FIELD)}-hint`]);
  const current = channels.find((c) => c.id === channelId);
  return (
    <div className="min-w-0 space-y-1">
      <label htmlFor={a11y.id} className="block text-sm font-medium text-slate-800">
        Channel
      </label>
      {locked ? (
        <>
          {/* The shown text is a label; the form posts the number's id. */}
          <input {...a11y} name={undefined} readOnly value={current ? channelText(current) : channelId} className={`${inputClass} bg-slate-50 text-slate-700`} />
          <input type="hidden" name={CHANNEL_FIELD} value={channelId} />
        </>
      ) : (
        <select {...a11y} required value={channelId} onChange={(e) => onChange(e.target.value)} className={inputClass}>
          {channelId === "" ? <option value="">Choose a number…</option> : null}
          {channels.map((c) => (
            <option key={c.id} value={c.id}>
              {channelText(c)}
            </option>
          ))}
        </select>
      )}
      <p id={`${fieldId(CHANNEL_FIELD)}-hint`} className="text-xs text-slate-500">
        {locked ? "A stored template stays on its number; to use it elsewhere, write a new one there." : "The WhatsApp number whose API key submits the template."}
      </p>
      <FieldFindings findings={findings} path={CHANNEL_FIELD} />
    </div>
  );
}

export const LANGUAGES: readonly (readonly [string, string])[] = [
  ["en", "English"], ["en_US", "English (US)"], ["en_GB", "English (UK)"], ["de", "German"], ["fr", "French"],
  ["es", "Spanish"], ["es_ES", "Spanish (Spain)"], ["es_MX", "Spanish (Mexico)"], ["it", "Italian"],
  ["pt_BR", "Portuguese (Brazil)"], ["pt_PT", "Portuguese (Portugal)"], ["nl", "Dutch"], ["tr", "Turkish"],
  ["ar", "Arabic"], ["hi", "Hindi"], ["id", "Indonesian"], ["ms", "Malay"], ["pl", "Polish"], ["ru", "Russian"],
  ["uk", "Ukrainian"], ["sv", "Swedish"], ["da", "Danish"], ["nb", "Norwegian"], ["fi", "Finnish"], ["cs", "Czech"],
  ["ro", "Romanian"], ["el", "Greek"], ["he", "Hebrew"], ["ja", "Japanese"], ["ko", "Korean"], ["th", "Thai"],
  ["vi", "Vietnamese"], ["zh_CN", "Chinese (simplified)"], ["zh_TW", "Chinese (traditional)"],
];

const CATEGORY_TEXT: Record<TemplateCategoryName, { label: string; hint: string }> = {
  MARKETING: { label: "Marketing", hint: "Offers, news, invitations, reminders to buy: anything that is not an update the customer asked for." },
  UTILITY: { label: "Utility", hint: "Updates about something the customer did or agreed to: orders, bookings, payments, account alerts." },
  AUTHENTICATION: { label: "Authentication", hint: "One-time codes to verify a login or action. Meta writes the text itself." },
};

type Patch = (patch: Partial<TemplateDraft>) => void;

export function BasicsFields(props: {
  draft: TemplateDraft;
  findings: FindingMap;
  onPatch: Patch;
  onCategory: (category: TemplateCategoryName) => void;
}) {
  const { draft, findings, onPatch, onCategory } = props;
  return (
    <>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          path="name"
          label="Name"
          value={draft.name}
          onValue={(name) => onPatch({ name })}
          findings={findings}
          hint="Lowercase letters, digits and underscores, e.g. order_shipped."
          autoComplete="off"
          spellCheck={false}
        />
        <TextField
          path="language"
          label="Language"
          value={draft.language}
          onValue={(language) => onPatch({ language })}
          findings={findings}
          hint="Meta's code: en, en_US, de, pt_BR…"
          list="tpl-language-list"
          autoComplete="off"
          spellCheck={false}
        />
        <datalist id="tpl-language-list">
          {LANGUAGES.map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </datalist>
      </div>
      <fieldset id={fieldId("category")} tabIndex={-1} className="min-w-0 space-y-2 focus:outline-none" aria-describedby={findings.get("category")?.length ? `${fieldId("category")}-findings` : undefined}>
        <legend className="text-sm font-medium text-slate-800">Category</legend>
        <div className="grid gap-2 md:grid-cols-3">
          {TEMPLATE_CATEGORIES.map((c) => (
            <label
              key={c}
              className="flex cursor-pointer gap-2 rounded-md border border-slate-200 p-3 text-sm has-[:checked]:border-brand-600 has-[:checked]:bg-brand-50 has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-600"
            >
              <input
                type="radio"
                name="category"
                value={c}
                checked={draft.category === c}
                onChange={() => onCategory(c)}
                aria-describedby={`${fieldId("category")}-${c}-hint`}
                className="mt-0.5 accent-brand-700"
              />
              <span>
                <span className="block font-medium text-slate-900">{CATEGORY_TEXT[c].label}</span>
                <span id={`${fieldId("category")}-${c}-hint`} className="block text-xs text-slate-600">
                  {CATEGORY_TEXT[c].hint}
                </span>
              </span>
            </label>
          ))}
        </div>
        <FieldFindings findings={findings} path="category" />
      </fieldset>
      <div className="space-y-1">
        <label className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            {...controlProps(findings, "allowCategoryChange")}
            checked={draft.allowCategoryChange}
            onChange={(e) => onPatch({ allowCategoryChange: e.target.checked })}
            className="mt-0.5 accent-brand-700"
          />
          Let Meta change the category instead of rejecting
        </label>
        <FieldFindings findings={findings} path="allowCategoryChange" />
      </div>
    </>
  );
}
