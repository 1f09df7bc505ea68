import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Alert, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { loadTemplateDetail } from "@/lib/dashboard/templates";
import { lintTemplate } from "@/lib/templates/lint";
import { templateStatusWords } from "@/lib/templates/status";
import { TemplateEditor } from "../../_editor/template-editor";

export const metadata: Metadata = { title: "Edit template" };

export default async function EditTemplatePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole("operator");
  const { id } = await params;
  // Where the editor's form post (before its script loaded) redirects to: ?saved=1 after "Save draft", ?check=1
  // when the linter stopped a submission. The stored draft is linted again here, so each finding is at its field.
  const { saved, check } = await searchParams;
  const detail = await loadTemplateDetail(id);
  if (!detail) notFound();
  const t = detail.template;
  const label = detail.phoneNumber ?? detail.channelExternalId;
  if (!detail.editable) {
    return (
      <>
        <PageHeader title={`Edit ${t.name}`} />
        <Alert tone="info">
          {detail.replacedBy ? (
            <>
              This template was resubmitted under a new name as{" "}
              <Link className="underline" href={`/dashboard/templates/${detail.replacedBy.id}/edit`}>{detail.replacedBy.name}</Link>; change that one.{" "}
            </>
          ) : (
            <>This template is {templateStatusWords(t.status).toLowerCase()}; only drafts, rejected and paused templates can be changed. </>
          )}
          <Link className="underline" href={`/dashboard/templates/${t.id}`}>Back to the template</Link>
        </Alert>
      </>
    );
  }
  const posted = saved === "1" || check === "1";
  const findings = posted ? lintTemplate(detail.draft) : undefined;
  const errors = findings?.filter((f) => f.severity === "error").length ?? 0;
  const notice = !posted
    ? undefined
    : check === "1"
      ? { tone: "error" as const, text: "Nothing was sent: fix the problems marked below. Your draft is saved." }
      : { tone: "success" as const, text: errors === 0 ? "Draft saved." : `Draft saved. ${errors} problem${errors === 1 ? "" : "s"} must be fixed before it can be submitted.` };
  return (
    <>
      <PageHeader title={`Edit ${t.name}`} description={`${label} · ${t.language}`} />
      <TemplateEditor
        channels={[{ id: t.channelId, label, clientName: detail.clientName, hubName: detail.hubName }]}
        initial={{
          templateId: t.id,
          channelId: t.channelId,
          draft: detail.draft,
          status: t.status,
          rejectedReason: t.rejectedReason,
          categoryChanged: t.categoryChanged,
          requestedCategory: t.requestedCategory,
          category: t.category,
          ...(findings ? { findings } : {}),
          ...(notice ? { notice } : {}),
        }}
      />
    </>
  );
}
