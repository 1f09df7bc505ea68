import type { Metadata } from "next";
import { FilterBar, FilterInput } from "@/app/_components/filters";
import { EmptyState, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { loadEditorChannels } from "@/lib/dashboard/templates";
import { TemplateEditor } from "../_editor/template-editor";

export const metadata: Metadata = { title: "New template" };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.slice(0, 100);

export default async function NewTemplatePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole("operator");
  const params = await searchParams;
  const q = first(params.q)?.trim() || undefined;
  const preselected = first(params.channel);
  const channels = await loadEditorChannels({ q, preselected });
  return (
    <>
      <PageHeader title="New template" description="Checked against WhatsApp's rules as you type, and again before it is sent to Meta. Drafts are kept if anything fails." />
      <FilterBar label="Find a number" clearHref="/dashboard/templates/new" active={Boolean(q)}>
        <FilterInput id="f-q" label="Find a number (phone digits or channel ID)" name="q" value={q} />
      </FilterBar>
      {q && channels.length === 0 ? (
        <EmptyState title="No number matches">No number with a stored API key has “{q}” in its phone number or channel ID. Clear the search to see the most recent ones.</EmptyState>
      ) : (
      <TemplateEditor key={`${preselected ?? ""}|${q ?? ""}`} channels={channels} defaultChannelId={channels.some((c) => c.id === preselected) ? preselected : undefined} />
      )}
    </>
  );
}
