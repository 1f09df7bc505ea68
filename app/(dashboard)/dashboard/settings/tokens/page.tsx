import type { Metadata } from "next";
import Link from "next/link";
import { DataTable } from "@/app/_components/data-table";
import { Badge, Card, EmptyState, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { API_TOKEN_SCOPES, SCOPE_WORDS, listTokens } from "@/lib/api/tokens";
import { requirePageRole } from "@/lib/auth/session";
import { hubOptions } from "@/lib/dashboard/lists";
import { formatMinute } from "@/lib/dates";
import { CreateTokenForm, RevokeTokenButton } from "./token-forms";

export const metadata: Metadata = { title: "API tokens" };

type Row = Awaited<ReturnType<typeof listTokens>>[number];

function stateOf(row: Row, now: Date): { words: string; tone: "green" | "red" | "slate" } {
  if (row.revokedAt) return { words: `Revoked ${formatMinute(row.revokedAt)}`, tone: "red" };
  if (row.expiresAt && row.expiresAt <= now) return { words: `Expired ${formatMinute(row.expiresAt)}`, tone: "slate" };
  return { words: row.expiresAt ? `Active until ${formatMinute(row.expiresAt)}` : "Active", tone: "green" };
}

export default async function ApiTokensPage() {
  await requirePageRole("admin");
  const [tokens, hubs] = await Promise.all([listTokens(), hubOptions()]);
  const now = new Date();
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens let your own platform call the portal's REST API (/api/v1). A token is shown once; only its hash is stored. It acts for the admin who made it and stops working when that account is disabled or no longer an admin."
        actions={
          <>
            <Link href="/dashboard/api" className={secondaryButtonClass}>API reference</Link>
            <Link href="/dashboard/settings" className={secondaryButtonClass}>Back to settings</Link>
          </>
        }
      />
      <Card title="New token" className="mb-6">
        <CreateTokenForm scopes={API_TOKEN_SCOPES.map((id) => ({ id, words: SCOPE_WORDS[id] }))} hubs={hubs} />
      </Card>
      <Card title="Tokens">
        {tokens.length === 0 ? (
          <EmptyState title="No tokens yet">Create one above, or run npm run token:create on the server.</EmptyState>
        ) : (
          <DataTable
            caption="API tokens"
            rows={tokens}
            rowKey={(t) => t.id}
            rowProps={() => ({ "data-testid": "api-token-row" })}
            scroll
            columns={[
              { header: "Name", className: "py-2 pr-4", cell: (t) => <><span className="font-medium">{t.name}</span> <code className="text-xs text-slate-500">{t.prefix}…</code></> },
              { header: "Scopes", className: "py-2 pr-4", cell: (t) => t.scopes.join(", ") },
              { header: "Hub", className: "py-2 pr-4", cell: (t) => t.hubName ?? "Every hub" },
              { header: "State", className: "py-2 pr-4", cell: (t) => { const s = stateOf(t, now); return <Badge tone={s.tone}>{s.words}</Badge>; } },
              { header: "Last used", className: "py-2 pr-4", cell: (t) => (t.lastUsedAt ? formatMinute(t.lastUsedAt) : "Never") },
              { header: "Created", className: "py-2 pr-4", cell: (t) => `${formatMinute(t.createdAt)}${t.ownerEmail ? ` by ${t.ownerEmail}` : ""}` },
              { header: <span className="sr-only">Actions</span>, className: "py-2", cell: (t) => (t.revokedAt ? null : <RevokeTokenButton tokenId={t.id} name={t.name} />) },
            ]}
          />
        )}
      </Card>
    </>
  );
}
