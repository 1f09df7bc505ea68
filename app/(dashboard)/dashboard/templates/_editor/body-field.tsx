import { useLayoutEffect, useRef } from "react";
import { inputClass } from "@/app/_components/ui";
import { Counter, FieldGroup, Hint, smallButtonClass, TextField } from "./controls";
import { nextVariable, sampleSlots, withSample } from "./draft-edits";
import { fieldId } from "./field-paths";
import { controlProps, FieldFindings, type FindingMap } from "./finding-list";
import { insertAt, toggleWrap, type TextEdit } from "./text-edits";

const BODY_MAX = 1024;
const toolClass = smallButtonClass;

export function BodyField(props: {
  body: string;
  typedSamples: readonly string[];
  bodyVariables: readonly number[];
  /** The body's `{{name}}` variables in slot order, when it uses names (docs/templates-meta.md §3). */
  variableNames?: readonly string[];
  findings: FindingMap;
  onBody: (body: string) => void;
  onSamples: (samples: string[]) => void;
}) {
  const { body, typedSamples, bodyVariables, variableNames = [], findings, onBody, onSamples } = props;
  const ref = useRef<HTMLTextAreaElement>(null);
  const pendingSelection = useRef<{ start: number; end: number } | null>(null);
  const id = fieldId("body");

  useLayoutEffect(() => {
    const el = ref.current;
    const selection = pendingSelection.current;
    if (!el || !selection) return;
    pendingSelection.current = null;
    el.focus();
    el.setSelectionRange(selection.start, selection.end);
  }, [body]);

  const edit = (make: (text: string, start: number, end: number) => TextEdit) => {
    const el = ref.current;
    const start = el?.selectionStart ?? body.length;
    const end = el?.selectionEnd ?? body.length;
    const result = make(body, start, end);
    pendingSelection.current = { start: result.selectionStart, end: result.selectionEnd };
    onBody(result.text);
  };

  const variable = nextVariable(bodyVariables);
  const slots = sampleSlots(bodyVariables);
  return (
    <div className="space-y-3">
      <div className="min-w-0 space-y-1">
        <div className="flex items-baseline justify-between gap-2">
          <label htmlFor={id} className="block text-sm font-medium text-slate-800">
            Body
          </label>
          <Counter id={`${id}-count`} value={body} max={BODY_MAX} />
        </div>
        <div role="toolbar" aria-label="Body tools" aria-controls={id} className="flex flex-wrap gap-1.5">
          <button type="button" className={toolClass} onClick={() => edit((t, s, e) => insertAt(t, s, e, `{{${variable}}}`))}>
            Add variable {`{{${variable}}}`}
          </button>
          <button type="button" className={`${toolClass} font-bold`} onClick={() => edit((t, s, e) => toggleWrap(t, s, e, "*"))}>
            Bold
          </button>
          <button type="button" className={`${toolClass} italic`} onClick={() => edit((t, s, e) => toggleWrap(t, s, e, "_"))}>
            Italic
          </button>
          <button type="button" className={`${toolClass} line-through`} onClick={() => edit((t, s, e) => toggleWrap(t, s, e, "~"))}>
            Strikethrough
          </button>
        </div>
        <textarea
          ref={ref}
          {...controlProps(findings, "body", [`${id}-hint`, `${id}-count`])}
          value={body}
          onChange={(e) => onBody(e.target.value)}
          rows={7}
          className={`${inputClass} min-h-40 resize-y`}
        />
        <Hint id={`${id}-hint`}>
          {"Variables are {{1}}, {{2}}… in order, or names such as {{customer_name}} (lowercase, digits, _), one kind per template. *bold*, _italic_, ~strikethrough~ work as in WhatsApp."}
        </Hint>
        <FieldFindings findings={findings} path="body" />
      </div>
      {slots.length > 0 ? (
        <FieldGroup path="bodyExamples" legend="Samples for the variables" findings={findings}>
          <p className="text-xs text-slate-500">Meta reviews the template with these values; customers never see them.</p>
          <div className="grid gap-3 sm:grid-cols-2">
            {slots.map((n) => (
              <TextField
                key={n}
                path={`bodyExamples.${n - 1}`}
                label={`Sample for {{${variableNames[n - 1] ?? n}}}`}
                value={typedSamples[n - 1] ?? ""}
                onValue={(value) => onSamples(withSample(typedSamples, n - 1, value))}
                findings={findings}
                autoComplete="off"
              />
            ))}
          </div>
        </FieldGroup>
      ) : null}
    </div>
  );
}
