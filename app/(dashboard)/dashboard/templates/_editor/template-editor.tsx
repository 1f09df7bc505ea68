"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useActionState, useEffect, useMemo, useRef, useState, useSyncExternalStore, type JSX } from "react";
import { Alert, Card, EmptyState } from "@/app/_components/ui";
import { namedVariablesIn, variablesIn } from "@/lib/templates/components";
import type { TemplateCategoryName, TemplateDraft } from "@/lib/templates/draft";
import { emptyDraft, templateDraftSchema } from "@/lib/templates/draft";
import type { ActionState } from "@/lib/forms/validated-action";
import { saveTemplateFormAction, type TemplateFormRefusal } from "../actions";
import { hasErrors, type Finding } from "@/lib/templates/lint";
import { AuthFields } from "./auth-fields";
import { BasicsFields, ChannelField, type EditorChannel } from "./basics-fields";
import { BodyField } from "./body-field";
import { ButtonList } from "./button-list";
import { FieldGroup, smallButtonClass, TextField } from "./controls";
import { HeaderFields } from "./header-fields";
import { samplesFor, switchCategory, type CategoryStash } from "./draft-edits";
import { ActionBar, CategoryNote, RejectionNotice } from "./editor-notices";
import { CHANNEL_FIELD, countFindings, mergeFindings, placeFindings, placeOf, renderedFields } from "./field-paths";
import { FindingSummary, focusField } from "./finding-summary";
import { requestFromForm } from "./form-draft";
import { dropFlash, leaveFlash, peekFlash, type EditorFlash, type Notice } from "./flash";
import { postTemplate, UNREACHABLE_MESSAGE } from "./post-template";
import { TemplatePreview } from "./template-preview";
import { safeLint, useDebouncedLint } from "./use-lint";

export type { EditorChannel } from "./basics-fields";

export type EditorInitial = {
  templateId: string;
  channelId: string;
  draft: TemplateDraft;
  status: string;
  /** Shown beside the form when resubmitting a rejected template. */
  rejectedReason: string | null;
  categoryChanged: boolean;
  requestedCategory: string | null;
  category: string;
  /** After a form post without script (redirected here): the stored draft's findings and what happened. */
  findings?: Finding[];
  notice?: Notice;
};

const SUMMARY_ID = "tpl-summary";
const CHANNEL_MISSING: Finding = { field: CHANNEL_FIELD, rule: "channel-required", severity: "error", message: "Choose the number this template is for." };

function firstChannel(channels: readonly EditorChannel[], defaultChannelId: string | undefined): string {
  if (defaultChannelId && channels.some((c) => c.id === defaultChannelId)) return defaultChannelId;
  return channels.length === 1 ? (channels[0]?.id ?? "") : "";
}

export function TemplateEditor(props: { channels: EditorChannel[]; initial?: EditorInitial; defaultChannelId?: string }): JSX.Element {
  const { channels, initial } = props;
  if (!initial && channels.length === 0) {
    return (
      <EmptyState title="No number can take templates yet">
        Templates are submitted with a WhatsApp number&apos;s API key, and no number has one stored. Wait until a{" "}
        <Link href="/dashboard/channels" className="font-medium text-brand-700 underline underline-offset-2">
          channel
        </Link>{" "}
        is running with its key, or{" "}
        <Link href="/dashboard/channels/manual" className="font-medium text-brand-700 underline underline-offset-2">
          add a number from elsewhere
        </Link>{" "}
        with its API key.
      </EmptyState>
    );
  }
  return <EditorForm {...props} />;
}

/**
 * What a form post without script came back with when it could not redirect: a refusal naming fields (the draft
 * as posted, re-read through the draft schema) or 360dialog's words about a stored draft.
 */
function postedBack(state: ActionState<TemplateFormRefusal> | undefined): { draft?: TemplateDraft; channelId?: string; templateId?: string; findings: Finding[]; notice?: Notice } | undefined {
  if (!state || state.ok) return undefined;
  const notice: Notice | undefined = state.message ? { tone: "error", text: state.message } : undefined;
  if (state.data) return { ...state.data, notice };
  const posted = state.values ? (requestFromForm(state.values) as { channelId?: string; templateId?: string; draft: unknown }) : undefined;
  const draft = posted ? templateDraftSchema.safeParse(posted.draft) : undefined;
  const findings: Finding[] = Object.entries(state.fieldErrors ?? {}).flatMap(([path, messages]) =>
    messages.map((message) => ({ field: path.replace(/^draft\./, ""), rule: "shape", severity: "error" as const, message })),
  );
  return { draft: draft?.success ? draft.data : undefined, channelId: posted?.channelId, templateId: posted?.templateId, findings, notice };
}

const noSubscription = () => () => {};

function EditorForm({ channels, initial, defaultChannelId }: { channels: EditorChannel[]; initial?: EditorInitial; defaultChannelId?: string }) {
  const router = useRouter();
  const pathname = usePathname();
  // The form's own way in before the script loads; once hydrated, `send` posts JSON and the form never submits.
  const [formState, formAction] = useActionState(saveTemplateFormAction, undefined);
  const back = postedBack(formState);
  // false in the server's HTML and until hydration, true after: the one render difference React allows for.
  const hydrated = useSyncExternalStore(noSubscription, () => true, () => false);
  const [form, setForm] = useState<TemplateDraft>(() => back?.draft ?? initial?.draft ?? emptyDraft());
  const [stash, setStash] = useState<CategoryStash | null>(null);
  const [channelId, setChannelId] = useState(() => initial?.channelId ?? back?.channelId ?? firstChannel(channels, defaultChannelId));
  const [templateId, setTemplateId] = useState(initial?.templateId ?? back?.templateId);
  const [flash] = useState<EditorFlash | undefined>(() => peekFlash(initial?.templateId));
  const [notice, setNotice] = useState<Notice | null>(flash?.notice ?? back?.notice ?? initial?.notice ?? null);
  const [proposedName, setProposedName] = useState<string | null>(null);
  const [serverFindings, setServerFindings] = useState<Finding[]>(flash?.findings ?? back?.findings ?? initial?.findings ?? []);
  const [touched, setTouched] = useState(Boolean(initial) || Boolean(back));
  const [busy, setBusy] = useState<"save" | "submit" | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  const locked = Boolean(initial);

  useEffect(() => dropFlash(initial?.templateId), [initial?.templateId]);

  const bodyVars = useMemo(() => variablesIn(form.body), [form.body]);
  const bodyNames = useMemo(() => namedVariablesIn(form.body), [form.body]);
  const headerText = form.header.format === "TEXT" ? form.header.text : "";
  const headerVars = useMemo(() => variablesIn(headerText), [headerText]);
  // `form.bodyExamples` keeps every sample typed; the draft carries exactly one per variable of the body now.
  const draft = useMemo(() => ({ ...form, bodyExamples: samplesFor(bodyVars, form.bodyExamples) }), [form, bodyVars]);

  const lint = useDebouncedLint(draft);
  const live = useMemo(() => (!locked && channelId === "" ? [CHANNEL_MISSING, ...lint] : lint), [locked, channelId, lint]);
  const shown = useMemo(() => (touched ? mergeFindings(live, serverFindings) : serverFindings), [touched, live, serverFindings]);
  const rendered = useMemo(() => renderedFields(draft, { body: bodyVars, headerText: headerVars }), [draft, bodyVars, headerVars]);
  const placed = useMemo(() => placeFindings(shown, rendered), [shown, rendered]);
  const summary = useMemo(() => shown.map((finding) => ({ finding, path: placeOf(finding.field, rendered) })), [shown, rendered]);
  const { errors, warnings } = countFindings(live);

  const patch = (p: Partial<TemplateDraft>) => {
    setTouched(true);
    setForm((f) => ({ ...f, ...p }));
  };
  const changeCategory = (category: TemplateCategoryName) => {
    setTouched(true);
    const next = switchCategory(form, category, stash);
    setForm(next.draft);
    setStash(next.stash);
  };
  const showFindings = () => {
    setTouched(true);
    requestAnimationFrame(() => document.getElementById(`${SUMMARY_ID}-title`)?.focus());
  };
  const showNotice = (next: Notice) => {
    setNotice(next);
    if (next.tone === "error") requestAnimationFrame(() => noticeRef.current?.focus());
  };

  /** Remembers the stored template; on /new, moves the address to its edit page, handing the notice over. */
  const remember = (id: string | undefined, handOver: EditorFlash) => {
    if (!id) return;
    setTemplateId(id);
    const target = `/dashboard/templates/${encodeURIComponent(id)}/edit`;
    if (pathname !== target) {
      leaveFlash(id, handOver);
      router.replace(target, { scroll: false });
    }
  };

  const send = async (action: "save" | "submit") => {
    if (busy) return;
    const check = action === "submit" ? safeLint(draft) : [];
    if (channelId === "" || hasErrors(check)) {
      showFindings();
      if (channelId === "") focusField(CHANNEL_FIELD);
      return;
    }
    setBusy(action);
    const answer = await postTemplate({ channelId, ...(templateId ? { templateId } : {}), action, draft });
    if (answer.kind === "ok" && action === "submit") {
      // Stay busy: the template's page takes over, and a second click must not submit again meanwhile. It
      // replaces this entry, so Back leads to where the editor was opened from, never to this form with its old
      // text and findings (the submission is done; editing again starts from the stored template).
      router.replace(`/dashboard/templates/${encodeURIComponent(answer.templateId)}`);
      return;
    }
    setBusy(null);
    switch (answer.kind) {
      case "ok": {
        const next: Notice = { tone: "success", text: answer.message };
        setServerFindings([]);
        showNotice(next);
        remember(answer.templateId, { notice: next, findings: [] });
        break;
      }
      case "refused": {
        const next: Notice = { tone: "error", text: answer.templateId ? `${answer.message} Your draft is saved.` : answer.message };
        setTouched(true);
        setServerFindings(answer.findings);
        setProposedName(answer.proposedName ?? null);
        showNotice(next);
        remember(answer.templateId, { notice: next, findings: answer.findings });
        break;
      }
      case "failed": {
        const next: Notice = { tone: "error", text: answer.message };
        showNotice(next);
        remember(answer.templateId, { notice: next, findings: serverFindings });
        break;
      }
      case "unreachable":
        showNotice({ tone: "error", text: UNREACHABLE_MESSAGE });
        break;
    }
  };

  const auth = form.category === "AUTHENTICATION";
  const at = placed.at;
  return (
    <div className="space-y-4">
      {initial?.rejectedReason ? <RejectionNotice reason={initial.rejectedReason} /> : null}
      {initial?.categoryChanged ? <CategoryNote requested={initial.requestedCategory} current={initial.category} /> : null}
      <div ref={noticeRef} tabIndex={-1} className="focus:outline-none">
        {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
        {proposedName && proposedName !== form.name ? (
          <p className="mt-2">
            <button type="button" className={smallButtonClass} onClick={() => { patch({ name: proposedName }); setProposedName(null); }}>
              Use the name {proposedName}
            </button>
          </p>
        ) : null}
      </div>
      {touched ? <FindingSummary id={SUMMARY_ID} items={summary} /> : null}
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem] xl:grid-cols-[minmax(0,1fr)_23rem]">
        {/* autoComplete off: a browser must not refill an old draft into this form when Back returns to it. */}
        <form aria-label="Template" noValidate action={formAction} autoComplete="off" onSubmit={(e) => e.preventDefault()} className="min-w-0 space-y-5">
          {templateId ? <input type="hidden" name="templateId" value={templateId} /> : null}
          <Card className="space-y-4">
            <ChannelField channels={channels} channelId={channelId} locked={locked} findings={at} onChange={(id) => { setTouched(true); setChannelId(id); }} />
            <BasicsFields draft={form} findings={at} onPatch={patch} onCategory={changeCategory} />
          </Card>
          {auth ? (
            <Card title="Authentication">
              <AuthFields draft={form} findings={at} onPatch={patch} />
            </Card>
          ) : (
            <Card title="Message" className="space-y-4">
              <FieldGroup path="header" legend="Header" findings={at}>
                <HeaderFields header={form.header} headerVariables={headerVars} findings={at} onChange={(header) => patch({ header })} />
              </FieldGroup>
              <BodyField
                body={form.body}
                typedSamples={form.bodyExamples}
                bodyVariables={bodyVars}
                variableNames={bodyNames}
                findings={at}
                onBody={(body) => patch({ body })}
                onSamples={(bodyExamples) => patch({ bodyExamples })}
              />
              <TextField path="footer" label="Footer" value={form.footer} onValue={(footer) => patch({ footer })} findings={at} limit={60} hint="Optional small grey line under the message; no variables." />
            </Card>
          )}
          <ButtonList buttons={form.buttons} category={form.category} findings={at} onChange={(buttons) => patch({ buttons })} />
          <ActionBar
            busy={busy}
            errors={errors}
            warnings={warnings}
            submitLabel={initial?.rejectedReason ? "Resubmit for review" : "Submit for review"}
            hydrated={hydrated}
            onSave={() => void send("save")}
            onSubmit={() => void send("submit")}
            onShowFindings={showFindings}
          />
        </form>
        <aside aria-label="Preview" className="min-w-0 lg:sticky lg:top-4 lg:self-start">
          <TemplatePreview draft={draft} />
        </aside>
      </div>
    </div>
  );
}
