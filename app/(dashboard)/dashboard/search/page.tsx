import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { Badge, Card, EmptyState, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { loadSearch, SEARCH_GROUP_LIMIT } from "@/lib/dashboard/search";
import { channelStatusWords } from "@/lib/dashboard/words";
import { templateStatusTone, templateStatusWords } from "@/lib/templates/status";

export const metadata: Metadata = { title: "Search" };

const link = "font-medium text-brand-700 underline-offset-2 hover:underline";

export default async function SearchPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole("viewer");
  const { q, clients, channels, templates, tooShort } = await loadSearch(await searchParams);
  const none = clients.length + channels.length + templates.length === 0;
  const more = (n: number, href: string) => (n > SEARCH_GROUP_LIMIT ? <Link href={href} className={link}>Show all matches</Link> : null);
  return (
    <>
      <PageHeader title="Search" description="Clients by the start of their name or email, numbers by any of their digits (formatting ignored), templates by the start of their name." />
      {!q ? (
        <EmptyState title="Search for a client, a number or a template">Type in the search box at the top of every page.</EmptyState>
      ) : tooShort ? (
        <EmptyState title="Type at least two characters">One letter would match almost everything.</EmptyState>
      ) : none ? (
        <EmptyState title={`Nothing matches “${q}”`}>Try the start of a client&apos;s name or email, at least four digits of a number, or the start of a template name.</EmptyState>
      ) : (
        <div className="space-y-6">
          <Group title="Clients" count={clients.length} more={more(clients.length, `/dashboard/clients?${new URLSearchParams({ q })}`)}>
            {clients.slice(0, SEARCH_GROUP_LIMIT).map((c) => (
              <li key={c.id} className="py-2" data-testid="search-client">
                <Link href={`/dashboard/clients/${c.id}`} className={link}>{c.name || "(no name)"}</Link>
                <div className="break-words text-xs text-slate-600">{[c.email, c.phone, c.hubName].filter(Boolean).join(" · ")}</div>
              </li>
            ))}
          </Group>
          <Group title="Numbers" count={channels.length} more={more(channels.length, `/dashboard/channels?${new URLSearchParams({ q })}`)}>
            {channels.slice(0, SEARCH_GROUP_LIMIT).map((ch) => (
              <li key={ch.id} className="py-2" data-testid="search-channel">
                <Link href={`/dashboard/channels/${ch.id}`} className={link}>{ch.phoneNumber ?? ch.externalId}</Link>
                <div className="break-words text-xs text-slate-600">{[channelStatusWords(ch.status), ch.clientName, ch.hubName].filter(Boolean).join(" · ")}</div>
              </li>
            ))}
          </Group>
          <Group title="Templates" count={templates.length} more={more(templates.length, `/dashboard/templates?${new URLSearchParams({ q })}`)}>
            {templates.slice(0, SEARCH_GROUP_LIMIT).map((t) => (
              <li key={t.id} className="py-2" data-testid="search-template">
                <Link href={`/dashboard/templates/${t.id}`} className={link}>{t.name}</Link> <span className="font-mono text-xs text-slate-500">{t.language}</span>{" "}
                <Badge tone={templateStatusTone(t.status)}>{templateStatusWords(t.status)}</Badge>
                <div className="break-words text-xs text-slate-600">{[t.phoneNumber ?? t.channelExternalId, t.clientName].filter(Boolean).join(" · ")}</div>
              </li>
            ))}
          </Group>
        </div>
      )}
    </>
  );
}

function Group({ title, count, more, children }: { title: string; count: number; more: ReactNode; children: ReactNode }) {
  return (
    <Card title={`${title} (${count > SEARCH_GROUP_LIMIT ? `${SEARCH_GROUP_LIMIT}+` : count})`}>
      {count === 0 ? <p className="text-sm text-slate-600">None.</p> : <ul className="divide-y divide-slate-100 text-sm">{children}</ul>}
      {more ? <div className="mt-3 text-sm">{more}</div> : null}
    </Card>
  );
}
