import { useRef } from "react";
import type { HeaderDraft } from "@/lib/templates/draft";
import { SelectField, TextField } from "./controls";
import { HEADER_FORMATS, switchHeader, type HeaderFormat, type HeaderMemory } from "./draft-edits";
import type { FindingMap } from "./finding-list";

const FORMAT_LABELS: Record<HeaderFormat, string> = {
  NONE: "None",
  TEXT: "Text",
  IMAGE: "Image",
  VIDEO: "Video",
  GIF: "GIF (marketing)",
  DOCUMENT: "Document",
  LOCATION: "Location",
};

const MEDIA_HINTS: Record<string, string> = {
  IMAGE: "A public https link to a sample JPEG or PNG. Meta only uses it to review the template; each message brings its own image.",
  VIDEO: "A public https link to a sample MP4. Meta only uses it to review the template; each message brings its own video.",
  GIF: "A public https link to a sample MP4 (Meta sends GIFs as short silent videos). Marketing templates only.",
  DOCUMENT: "A public https link to a sample PDF. Meta only uses it to review the template; each message brings its own document.",
};

const isFormat = (v: string): v is HeaderFormat => (HEADER_FORMATS as readonly string[]).includes(v);

export function HeaderFields(props: {
  header: HeaderDraft;
  headerVariables: readonly number[];
  findings: FindingMap;
  onChange: (header: HeaderDraft) => void;
}) {
  const { header, headerVariables, findings, onChange } = props;
  // What was typed for another format comes back when staff switch back to it; nothing drives rendering from here.
  const memory = useRef<HeaderMemory>({});
  const setFormat = (value: string) => {
    if (!isFormat(value)) return;
    const next = switchHeader(header, value, memory.current);
    memory.current = next.memory;
    onChange(next.header);
  };
  return (
    <div className="space-y-3">
      <SelectField
        path="header.format"
        label="Header format"
        value={header.format}
        onValue={setFormat}
        options={HEADER_FORMATS.map((f) => [f, FORMAT_LABELS[f]] as const)}
        findings={findings}
        hint="Optional: a line of bold text, or a picture, video, document or map above the message."
      />
      {header.format === "TEXT" ? (
        <>
          <TextField
            path="header.text"
            label="Header text"
            value={header.text}
            onValue={(text) => onChange({ ...header, text })}
            findings={findings}
            limit={60}
            hint="One line; may hold one variable, {{1}} or a name like {{order_id}}."
          />
          {headerVariables.length > 0 ? (
            <TextField
              path="header.example"
              label="Header text sample"
              value={header.example}
              onValue={(example) => onChange({ ...header, example })}
              findings={findings}
              hint="What the variable could be, for Meta's review."
            />
          ) : null}
        </>
      ) : null}
      {header.format === "IMAGE" || header.format === "VIDEO" || header.format === "GIF" || header.format === "DOCUMENT" ? (
        <TextField
          path="header.example"
          label="Sample media URL"
          type="url"
          inputMode="url"
          placeholder="https://"
          value={header.example}
          onValue={(example) => onChange({ ...header, example })}
          findings={findings}
          hint={MEDIA_HINTS[header.format]}
        />
      ) : null}
      {header.format === "LOCATION" ? <p className="text-xs text-slate-500">The place is chosen when each message is sent.</p> : null}
    </div>
  );
}
