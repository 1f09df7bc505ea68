import Link from "next/link";
import type { ReactNode } from "react";
import { buttonClass, inputClass, secondaryButtonClass } from "./ui";

/** A GET form of filters: the URL holds the state, so every filtered view can be bookmarked and shared. */
export function FilterBar({ label, children, clearHref, active }: { label: string; children: ReactNode; clearHref: string; active: boolean }) {
  return (
    <form method="get" aria-label={label} className="mb-4 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      {children}
      <button type="submit" className={buttonClass}>Filter</button>
      {active ? <Link href={clearHref} className={secondaryButtonClass}>Clear</Link> : null}
    </form>
  );
}

export function FilterSelect({ id, label, name, value, options }: { id: string; label: string; name: string; value?: string; options: { value: string; label: string }[] }) {
  return (
    <div>
      <label htmlFor={id} className="block text-xs font-medium text-slate-600">{label}</label>
      <select id={id} name={name} defaultValue={value ?? ""} className={inputClass}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>{o.label}</option>
        ))}
      </select>
    </div>
  );
}

export function FilterInput({ id, label, name, value, placeholder }: { id: string; label: string; name: string; value?: string; placeholder?: string }) {
  return (
    <div>
      <label htmlFor={id} className="block text-xs font-medium text-slate-600">{label}</label>
      <input id={id} name={name} defaultValue={value ?? ""} placeholder={placeholder} className={inputClass} />
    </div>
  );
}

export function NextPage({ href }: { href: string | null }) {
  return href ? (
    <div className="mt-4">
      <Link href={href} className={secondaryButtonClass}>Next page</Link>
    </div>
  ) : null;
}

/**
 * "Export CSV" of a list with the filters it shows now (docs/exports.md): the same query string minus the page
 * cursor, so the file holds every page of what is on screen.
 */
export function ExportLink({ list, query }: { list: "clients" | "channels" | "templates" | "invites" | "audit"; query: Record<string, string | undefined> }) {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[0] !== "after" && Boolean(e[1])));
  const search = params.size ? `?${params}` : "";
  return (
    <div className="mb-2 flex justify-end">
      {/* A plain link, not next/link: the answer is a file download, not a page. */}
      <a href={`/api/exports/${list}${search}`} download className="text-sm font-medium text-brand-700 underline-offset-2 hover:underline" data-testid="export-csv">
        Export CSV
      </a>
    </div>
  );
}
