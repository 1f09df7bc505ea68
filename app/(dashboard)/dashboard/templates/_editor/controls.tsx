import type { InputHTMLAttributes, ReactNode } from "react";
import { inputClass } from "@/app/_components/ui";
import { fieldId } from "./field-paths";
import { controlProps, FieldFindings, type FindingMap } from "./finding-list";

export const smallButtonClass =
  "inline-flex items-center justify-center whitespace-nowrap rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-800 shadow-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600 disabled:cursor-not-allowed disabled:opacity-50";

/** Characters as the linter counts them. */
export function charCount(text: string): number {
  return text.length;
}

export function Counter({ id, value, max }: { id: string; value: string; max: number }) {
  const n = charCount(value);
  return (
    <span id={id} className={`shrink-0 text-xs tabular-nums ${n > max ? "font-semibold text-red-700" : "text-slate-500"}`}>
      {n} / {max}
      <span className="sr-only"> characters</span>
    </span>
  );
}

export function Hint({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} className="text-xs text-slate-500">
      {children}
    </p>
  );
}

type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "id" | "name"> & {
  path: string;
  label: ReactNode;
  value: string;
  onValue: (value: string) => void;
  findings: FindingMap;
  hint?: ReactNode;
  /** WhatsApp's length limit: shows a counter (the linter reports going over it; typing is never cut off). */
  limit?: number;
};

/** A labelled text input with an optional hint and counter, its findings underneath and tied to it. */
export function TextField({ path, label, value, onValue, findings, hint, limit, ...rest }: TextFieldProps) {
  const id = fieldId(path);
  const hintId = hint ? `${id}-hint` : undefined;
  const countId = limit ? `${id}-count` : undefined;
  return (
    <div className="min-w-0 space-y-1">
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="block text-sm font-medium text-slate-800">
          {label}
        </label>
        {limit && countId ? <Counter id={countId} value={value} max={limit} /> : null}
      </div>
      <input
        {...rest}
        {...controlProps(findings, path, [hintId, countId])}
        value={value}
        onChange={(e) => onValue(e.target.value)}
        className={inputClass}
      />
      {hint && hintId ? <Hint id={hintId}>{hint}</Hint> : null}
      <FieldFindings findings={findings} path={path} />
    </div>
  );
}

type SelectFieldProps = {
  path: string;
  label: ReactNode;
  value: string;
  onValue: (value: string) => void;
  options: readonly (readonly [string, string])[];
  findings: FindingMap;
  hint?: ReactNode;
  disabled?: boolean;
};

export function SelectField({ path, label, value, onValue, options, findings, hint, disabled }: SelectFieldProps) {
  const id = fieldId(path);
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="min-w-0 space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        {...controlProps(findings, path, [hintId])}
        value={value}
        disabled={disabled}
        onChange={(e) => onValue(e.target.value)}
        className={inputClass}
      >
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
      {hint && hintId ? <Hint id={hintId}>{hint}</Hint> : null}
      <FieldFindings findings={findings} path={path} />
    </div>
  );
}

/** A group (fieldset) that findings can be placed on and focused through; its id is the path's. */
export function FieldGroup({ path, legend, findings, children, className = "" }: { path: string; legend: ReactNode; findings: FindingMap; children: ReactNode; className?: string }) {
  const list = findings.get(path);
  return (
    <fieldset
      id={fieldId(path)}
      tabIndex={-1}
      aria-describedby={list?.length ? `${fieldId(path)}-findings` : undefined}
      className={`min-w-0 space-y-3 rounded-md border border-slate-200 p-4 focus:outline-none ${className}`}
    >
      <legend className="px-1 text-sm font-semibold text-slate-900">{legend}</legend>
      <FieldFindings findings={findings} path={path} />
      {children}
    </fieldset>
  );
}
