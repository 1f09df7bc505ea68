import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Alert, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { loadTemplateDetail } from "@/lib/dashboard/templates";
import { templateStatusWords } from "@/lib/templates/status";
import { TemplateEditor } from "../../_editor/template-editor";

export const metadata: Metadata = { title: "Edit template" };

export default async function EditTemplatePage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageRole("operator");
  const { id } = await params;
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
        }}
      />
    </>
  );
}
