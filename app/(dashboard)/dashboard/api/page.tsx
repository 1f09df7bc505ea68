import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Badge, Card, PageHeader } from "@/app/_components/ui";
import { apiReference, type RefSchema } from "@/lib/api/reference";
import { requirePageRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "API reference" };

// The REST API reference, rendered on the server from the served OpenAPI document (no script, so the strict
// nonce CSP of proxy.ts needs no exception): every operation, its parameters and answers, and every schema.

function TypeOf({ schema }: { schema: RefSchema | undefined }): ReactNode {
  if (!schema) return "any";
  if (schema.ref) return <a className="text-brand-700 underline" href={`#schema-${schema.ref}`}>{schema.ref}</a>;
  if (schema.anyOf) return schema.anyOf.map((s, i) => <span key={i}>{i > 0 ? " | " : ""}<TypeOf schema={s} /></span>);
  if (schema.items) return <>array of <TypeOf schema={schema.items} /></>;
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  return `${schema.type ?? "any"}${schema.format ? ` (${schema.format})` : ""}`;
}

export default async function ApiReferencePage() {
  await requirePageRole("viewer");
  const ref = apiReference();
  return (
    <>
      <PageHeader
        title="API reference"
        description={`${ref.title}, version ${ref.version}. The machine-readable document (OpenAPI 3.1) is at /api/v1/openapi.json. Admins create tokens in Settings → API tokens.`}
      />
      <Card title="Operations" className="mb-6">
        <ul className="space-y-1 text-sm">
          {ref.operations.map((op) => (
            <li key={op.operationId}>
              <a href={`#op-${op.operationId}`} className="font-mono text-brand-700 underline">{op.method} {op.path}</a> · {op.summary}
            </li>
          ))}
        </ul>
      </Card>
      <div className="space-y-6">
        {ref.operations.map((op) => (
          <Card key={op.operationId}>
            <section id={`op-${op.operationId}`} aria-labelledby={`op-${op.operationId}-title`} data-testid="api-operation">
              <h2 id={`op-${op.operationId}-title`} className="font-mono text-base font-semibold">
                <Badge tone={op.method === "GET" ? "blue" : "green"}>{op.method}</Badge> {op.path}
              </h2>
              <p className="mt-1 text-sm font-medium">{op.summary}</p>
              {op.description ? <p className="mt-1 text-sm text-slate-700">{op.description}</p> : null}
              <p className="mt-1 text-xs text-slate-500">Scope: <code>{op.scope}</code></p>
              {op.parameters.length > 0 ? (
                <table className="mt-3 w-full text-left text-sm">
                  <caption className="text-left text-xs font-medium uppercase tracking-wide text-slate-500">Parameters</caption>
                  <tbody>
                    {op.parameters.map((p) => (
                      <tr key={`${p.in}-${p.name}`} className="border-t border-slate-100">
                        <td className="py-1 pr-4 font-mono">{p.name}{p.required ? " *" : ""}</td>
                        <td className="py-1 pr-4 text-slate-500">{p.in}</td>
                        <td className="py-1 pr-4"><TypeOf schema={p.schema} /></td>
                        <td className="py-1 text-slate-700">{p.description}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
              {op.body ? <p className="mt-3 text-sm">Body (application/json): <TypeOf schema={op.body} /></p> : null}
              <table className="mt-3 w-full text-left text-sm">
                <caption className="text-left text-xs font-medium uppercase tracking-wide text-slate-500">Answers</caption>
                <tbody>
                  {op.responses.map((r) => (
                    <tr key={r.status} className="border-t border-slate-100 align-top">
                      <td className="py-1 pr-4 font-mono">{r.status}</td>
                      <td className="py-1 pr-4">{r.schema ? <TypeOf schema={r.schema} /> : null}</td>
                      <td className="py-1 text-slate-700">{r.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </Card>
        ))}
      </div>
      <h2 className="mb-3 mt-8 text-lg font-semibold">Schemas</h2>
      <div className="space-y-6">
        {ref.schemas.map((s) => (
          <Card key={s.name}>
            <section id={`schema-${s.name}`} aria-labelledby={`schema-${s.name}-title`}>
              <h3 id={`schema-${s.name}-title`} className="font-mono text-base font-semibold">{s.name}</h3>
              {s.description ? <p className="mt-1 text-sm text-slate-700">{s.description}</p> : null}
              {s.properties.length > 0 ? (
                <table className="mt-2 w-full text-left text-sm">
                  <caption className="sr-only">Fields of {s.name}</caption>
                  <tbody>
                    {s.properties.map((p) => (
                      <tr key={p.name} className="border-t border-slate-100 align-top">
                        <td className="py-1 pr-4 font-mono">{p.name}{p.required ? " *" : ""}</td>
                        <td className="py-1 pr-4"><TypeOf schema={p.schema} /></td>
                        <td className="py-1 text-slate-700">{p.description}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p className="mt-2 text-sm"><TypeOf schema={s.self} /></p>
              )}
            </section>
          </Card>
        ))}
      </div>
    </>
  );
}
