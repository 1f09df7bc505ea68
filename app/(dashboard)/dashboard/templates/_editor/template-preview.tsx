import type { ReactNode } from "react";
import type { TemplateDraft } from "@/lib/templates/draft";
import { previewOf, type PreviewRun } from "@/lib/templates/preview";

// Outline icons as SVG paths: glyphs such as ⧉ or ✆ are missing from many system fonts.
const BUTTON_ICONS: Record<string, string> = {
  URL: "M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5",
  PHONE_NUMBER: "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2",
  QUICK_REPLY: "M9 14 4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11",
  OTP: "M8 8h11v11H8zM16 8V5H5v11h3",
};

function ButtonIcon({ type }: { type: string }) {
  const path = BUTTON_ICONS[type];
  if (!path) return null;
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className="h-4 w-4 shrink-0" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round">
      <path d={path} />
    </svg>
  );
}
const MEDIA_LABELS: Record<string, string> = { IMAGE: "Image", VIDEO: "Video", GIF: "GIF", DOCUMENT: "Document" };

/** One run as React text: formatting as elements, never as HTML. */
function Run({ run }: { run: PreviewRun }) {
  let node: ReactNode = run.text;
  if (run.mono) node = <code className="font-mono text-[0.92em]">{node}</code>;
  if (run.strike) node = <s>{node}</s>;
  if (run.italic) node = <em>{node}</em>;
  if (run.bold) node = <strong className="font-semibold">{node}</strong>;
  if (run.variable !== undefined) {
    node = (
      <mark className="rounded-sm bg-sky-100 px-0.5 text-sky-900" title={`Variable {{${run.variable}}}`}>
        {node}
      </mark>
    );
  }
  return node;
}

function MediaBox({ children }: { children: ReactNode }) {
  return <div className="flex h-28 flex-col items-center justify-center gap-1 rounded-md bg-slate-200 px-3 text-center text-xs text-slate-600">{children}</div>;
}

/** A WhatsApp-like bubble of the draft as customers would see it, with the samples in place of the variables. */
export function TemplatePreview({ draft }: { draft: TemplateDraft }) {
  let preview: ReturnType<typeof previewOf>;
  try {
    preview = previewOf(draft);
  } catch {
    // A preview bug must never take the form (and the text typed into it) down with it.
    return <p className="text-sm text-slate-500">The preview cannot show this text; the template itself is not affected.</p>;
  }
  const { header, body, footer, buttons } = preview;
  const empty = body.every((line) => line.every((run) => run.text === ""));
  return (
    <figure className="space-y-2">
      <figcaption className="text-sm font-semibold text-slate-900">Preview</figcaption>
      <div className="rounded-lg bg-[#efeae2] p-3 sm:p-4">
        <div className="max-w-[20rem] rounded-lg rounded-tl-none bg-white p-1 text-[14px] leading-snug text-slate-900 shadow-sm">
          {header?.kind === "text" ? <p className="break-words px-2 pt-1.5 font-semibold">{header.text}</p> : null}
          {header?.kind === "media" ? (
            <MediaBox>
              <span className="font-medium">{MEDIA_LABELS[header.format] ?? header.format}</span>
              {header.url ? <span className="max-w-full truncate">{header.url}</span> : <span>sample not set</span>}
            </MediaBox>
          ) : null}
          {header?.kind === "location" ? (
            <MediaBox>
              <span className="font-medium">Location</span>
              <span>chosen when the message is sent</span>
            </MediaBox>
          ) : null}
          <div className="whitespace-pre-wrap break-words px-2 py-1.5">
            {empty ? (
              <p className="italic text-slate-400">The body appears here as you type.</p>
            ) : (
              body.map((line, i) => (
                <p key={i} className="min-h-[1.25em]">
                  {line.map((run, j) => (
                    <Run key={j} run={run} />
                  ))}
                </p>
              ))
            )}
          </div>
          {footer ? <p className="break-words px-2 pb-1 text-xs text-slate-500">{footer}</p> : null}
          <p className="px-2 pb-0.5 text-right text-[10px] text-slate-400" aria-hidden="true">
            12:00
          </p>
        </div>
        {buttons.length > 0 ? (
          <ul className="mt-1 max-w-[20rem] space-y-1" aria-label="Buttons in the preview">
            {buttons.map((b, i) => (
              <li key={i} className="flex items-center justify-center gap-1.5 rounded-lg bg-white px-2 py-2 text-center text-sm font-medium text-sky-700 shadow-sm">
                <ButtonIcon type={b.type} />
                <span className="break-words">{b.label || "(no text)"}</span>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </figure>
  );
}
