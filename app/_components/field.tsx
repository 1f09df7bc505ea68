import type { InputHTMLAttributes } from "react";
import { inputClass } from "./ui";

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  name: string;
  errors?: string[];
  hint?: string;
};

/** A labelled input whose errors are announced and tied to it with aria-describedby. */
export function Field({ label, name, errors, hint, id, ...rest }: FieldProps) {
  const inputId = id ?? `field-${name}`;
  const describedBy = [hint ? `${inputId}-hint` : null, errors?.length ? `${inputId}-error` : null].filter(Boolean).join(" ");
  return (
    <div className="space-y-1">
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={inputId}
        name={name}
        className={inputClass}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...rest}
      />
      {hint ? (
        <p id={`${inputId}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {errors?.length ? (
        <p id={`${inputId}-error`} className="text-xs text-red-700">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

type SelectProps = { id: string; label: string; name: string; value?: string; options: [string, string][]; errors?: string[]; hint?: string };

/** A labelled select whose hint and errors are tied to it with aria-describedby, like Field. */
export function Select({ id, label, name, value, options, errors, hint }: SelectProps) {
  const describedBy = [hint ? `${id}-hint` : null, errors?.length ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">{label}</label>
      <select id={id} name={name} defaultValue={value} className={inputClass} aria-invalid={errors?.length ? true : undefined} aria-describedby={describedBy || undefined}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>{text}</option>
        ))}
      </select>
      {hint ? <p id={`${id}-hint`} className="text-xs text-slate-500">{hint}</p> : null}
      {errors?.length ? <p id={`${id}-error`} className="text-xs text-red-700">{errors.join(" ")}</p> : null}
    </div>
  );
}

/**
 * A new password and its repetition, as every form that sets a password asks for them: the browser may offer a
 * generated password (autocomplete "new-password"), and the server compares the two fields.
 */
export function NewPasswordFields({
  name = "password",
  label = "Password",
  confirmLabel = "Repeat the password",
  errors,
  confirmErrors,
}: {
  name?: string;
  label?: string;
  confirmLabel?: string;
  errors?: string[];
  confirmErrors?: string[];
}) {
  return (
    <>
      <Field label={label} name={name} type="password" autoComplete="new-password" required hint="At least 12 characters." errors={errors} />
      <Field label={confirmLabel} name="confirm" type="password" autoComplete="new-password" required errors={confirmErrors} />
    </>
  );
}
