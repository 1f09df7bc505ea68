import { useLayoutEffect, useRef } from "react";
import type { ButtonDraft, TemplateCategoryName } from "@/lib/templates/draft";
import { FieldGroup, SelectField, smallButtonClass, TextField } from "./controls";
import { moveItem, newButton, replaceItem } from "./draft-edits";
import { fieldId } from "./field-paths";
import type { FindingMap } from "./finding-list";

const TYPE_LABELS: Record<ButtonDraft["type"], string> = {
  QUICK_REPLY: "Quick reply",
  URL: "URL",
  PHONE_NUMBER: "Phone number",
  OTP: "Code",
  KEPT: "Kept as Meta holds it",
};

const BUTTON_TEXT_MAX = 25;
const smallButton = smallButtonClass;

function ButtonFields({ button, index, findings, onChange }: { button: ButtonDraft; index: number; findings: FindingMap; onChange: (b: ButtonDraft) => void }) {
  const p = `buttons.${index}`;
  const sr = <span className="sr-only">Button {index + 1} </span>;
  if (button.type === "KEPT") {
    // A button the editor cannot change (docs/templates-meta.md §3): shown, never edited, sent back as it was.
    return (
      <p className="text-sm text-slate-700" data-testid="kept-button">
        {button.kind}
        {button.text ? <>: &ldquo;{button.text}&rdquo;</> : null} <span className="text-xs text-slate-500">(read-only; kept unchanged when you submit)</span>
      </p>
    );
  }
  if (button.type === "OTP") {
    return (
      <SelectField
        path={`${p}.otpType`}
        label={<>{sr}Code button type</>}
        value={button.otpType}
        onValue={(v) => onChange({ ...button, otpType: v === "ONE_TAP" ? "ONE_TAP" : "COPY_CODE" })}
        options={[["COPY_CODE", "Copy code"]]}
        findings={findings}
        hint="Meta writes the button text itself."
      />
    );
  }
  const text = (
    <TextField path={`${p}.text`} label={<>{sr}Text</>} value={button.text} onValue={(t) => onChange({ ...button, text: t })} findings={findings} limit={BUTTON_TEXT_MAX} />
  );
  if (button.type === "QUICK_REPLY") return text;
  if (button.type === "PHONE_NUMBER") {
    return (
      <div className="grid gap-3 sm:grid-cols-2">
        {text}
        <TextField
          path={`${p}.phoneNumber`}
          label={<>{sr}Phone number</>}
          type="tel"
          autoComplete="off"
          value={button.phoneNumber}
          onValue={(phoneNumber) => onChange({ ...button, phoneNumber })}
          findings={findings}
          hint="International format with +, e.g. +4915123456789."
        />
      </div>
    );
  }
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      {text}
      <TextField
        path={`${p}.url`}
        label={<>{sr}URL</>}
        type="url"
        inputMode="url"
        placeholder="https://"
        value={button.url}
        onValue={(url) => onChange({ ...button, url })}
        findings={findings}
        hint="May end in {{1}} for a part that changes per message."
      />
      {button.url.includes("{{") ? (
        <TextField
          path={`${p}.example`}
          label={<>{sr}Sample URL</>}
          type="url"
          inputMode="url"
          value={button.example}
          onValue={(example) => onChange({ ...button, example })}
          findings={findings}
          hint="The whole URL with a value for {{1}}, for Meta's review."
        />
      ) : null}
    </div>
  );
}

export function ButtonList(props: {
  buttons: readonly ButtonDraft[];
  category: TemplateCategoryName;
  findings: FindingMap;
  onChange: (buttons: ButtonDraft[]) => void;
}) {
  const { buttons, category, findings, onChange } = props;
  // After a move or removal the row under the pointer changes; focus follows the button that moved.
  const pendingFocus = useRef<string | null>(null);
  useLayoutEffect(() => {
    const id = pendingFocus.current;
    pendingFocus.current = null;
    if (id) document.getElementById(id)?.focus();
  }, [buttons]);

  const move = (from: number, to: number, control: "up" | "down") => {
    const edge = control === "up" ? to === 0 : to === buttons.length - 1;
    pendingFocus.current = `${fieldId(`buttons.${to}`)}-${edge ? (control === "up" ? "down" : "up") : control}`;
    onChange(moveItem(buttons, from, to));
  };
  const remove = (index: number) => {
    const rest = buttons.filter((_, i) => i !== index);
    pendingFocus.current = rest.length === 0 ? `${fieldId("buttons")}-add` : `${fieldId(`buttons.${Math.min(index, rest.length - 1)}`)}-remove`;
    onChange(rest);
  };
  const add = (type: Exclude<ButtonDraft["type"], "KEPT">) => {
    pendingFocus.current = null;
    onChange([...buttons, newButton(type)]);
  };
  const auth = category === "AUTHENTICATION";
  return (
    <FieldGroup path="buttons" legend="Buttons" findings={findings} className="bg-white shadow-sm">
      {buttons.length === 0 ? <p className="text-xs text-slate-500">No buttons. Up to 10: quick replies, up to 2 URL buttons and 1 phone button.</p> : null}
      <ol className="space-y-3">
        {buttons.map((button, i) => {
          const id = fieldId(`buttons.${i}`);
          return (
            <li key={i}>
              <FieldGroup path={`buttons.${i}`} legend={`Button ${i + 1} · ${TYPE_LABELS[button.type]}`} findings={findings} className="bg-slate-50/60">
                {/* A plain form post (before the script) names each button's kind; see form-draft.ts. */}
                <input type="hidden" name={`buttons.${i}.type`} value={button.type} />
                {button.type === "KEPT" ? <input type="hidden" name={`buttons.${i}.kind`} value={button.kind} /> : null}
                <ButtonFields button={button} index={i} findings={findings} onChange={(b) => onChange(replaceItem(buttons, i, b))} />
                <div className="flex flex-wrap gap-1.5">
                  <button type="button" id={`${id}-up`} className={smallButton} disabled={i === 0} onClick={() => move(i, i - 1, "up")} aria-label={`Move button ${i + 1} up`}>
                    Up
                  </button>
                  <button
                    type="button"
                    id={`${id}-down`}
                    className={smallButton}
                    disabled={i === buttons.length - 1}
                    onClick={() => move(i, i + 1, "down")}
                    aria-label={`Move button ${i + 1} down`}
                  >
                    Down
                  </button>
                  {button.type === "KEPT" ? null : (
                    <button type="button" id={`${id}-remove`} className={`${smallButton} text-red-700!`} onClick={() => remove(i)} aria-label={`Remove button ${i + 1}`}>
                      Remove
                    </button>
                  )}
                </div>
              </FieldGroup>
            </li>
          );
        })}
      </ol>
      <div id={`${fieldId("buttons")}-add`} tabIndex={-1} className="flex flex-wrap gap-2 focus:outline-none">
        {auth ? (
          buttons.some((b) => b.type === "OTP") ? null : (
            <button type="button" className={smallButton} onClick={() => add("OTP")}>
              Add code button
            </button>
          )
        ) : (
          <>
            <button type="button" className={smallButton} onClick={() => add("QUICK_REPLY")}>
              Add quick reply
            </button>
            <button type="button" className={smallButton} onClick={() => add("URL")}>
              Add URL button
            </button>
            <button type="button" className={smallButton} onClick={() => add("PHONE_NUMBER")}>
              Add phone button
            </button>
          </>
        )}
      </div>
    </FieldGroup>
  );
}
