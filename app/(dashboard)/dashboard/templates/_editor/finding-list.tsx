import type { Finding } from "@/lib/templates/lint";
import { fieldId } from "./field-paths";

export type FindingMap = ReadonlyMap<string, readonly Finding[]>;

const NONE: readonly Finding[] = [];

export function findingsAt(findings: FindingMap, path: string): readonly Finding[] {
  return findings.get(path) ?? NONE;
}

/** The id of a field's finding list, for aria-describedby; undefined when it has none. */
export function findingsIdFor(findings: FindingMap, path: string): string | undefined {
  return findingsAt(findings, path).length > 0 ? `${fieldId(path)}-findings` : undefined;
}

/** Props tying a control to its findings: id, name, aria-invalid on errors, aria-describedby (hints + findings). */
export function controlProps(findings: FindingMap, path: string, describedBy: (string | undefined)[] = []) {
  const list = findingsAt(findings, path);
  const ids = [...describedBy, findingsIdFor(findings, path)].filter(Boolean).join(" ");
  return {
    id: fieldId(path),
    name: path,
    "aria-invalid": list.some((f) => f.severity === "error") ? (true as const) : undefined,
    "aria-describedby": ids || undefined,
  };
}

export function FindingText({ finding }: { finding: Finding }) {
  const error = finding.severity === "error";
  return (
    <>
      <span aria-hidden="true" className={error ? "text-red-600" : "text-amber-600"}>
        {error ? "✕ " : "! "}
      </span>
      <span className="sr-only">{error ? "Error: " : "Warning: "}</span>
      {finding.rule === "hub" ? <span className="font-semibold">360dialog/Meta says: </span> : null}
      {finding.message}
      <span className="ml-1.5 font-mono text-[11px] text-slate-400">{finding.rule}</span>
    </>
  );
}

/** The findings under one field, errors in red and warnings in amber. */
export function FieldFindings({ findings, path }: { findings: FindingMap; path: string }) {
  const list = findingsAt(findings, path);
  if (list.length === 0) return null;
  return (
    <ul id={`${fieldId(path)}-findings`} className="space-y-0.5 text-xs">
      {list.map((f, i) => (
        <li key={`${f.rule}-${i}`} className={f.severity === "error" ? "text-red-700" : "text-amber-800"}>
          <FindingText finding={f} />
        </li>
      ))}
    </ul>
  );
}
