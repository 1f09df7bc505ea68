// The template editor's fields as a plain form posts them (before its script has loaded): flat names, one per
// control, named by the field path the linter uses (`body`, `bodyExamples.0`, `buttons.1.url`, see field-paths.ts).
// Turned back into the one draft shape the JSON route takes, so both ways in meet the same schema and linter.

type Flat = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const checked = (v: unknown): boolean => v === "on" || v === "true";

/** Indexes present under `prefix.N.` or `prefix.N`, in order (a form may skip numbers). */
function indexes(form: Flat, prefix: string): number[] {
  const found = new Set<number>();
  const re = new RegExp(`^${prefix.replace(".", "\\.")}\\.(\\d{1,3})(?:\\.|$)`);
  for (const key of Object.keys(form)) {
    const m = re.exec(key);
    if (m) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}

function header(form: Flat): unknown {
  const format = str(form["header.format"]) || "NONE";
  if (format === "TEXT") return { format, text: str(form["header.text"]), example: str(form["header.example"]) };
  if (format === "NONE" || format === "LOCATION") return { format };
  return { format, example: str(form["header.example"]) };
}

function button(form: Flat, i: number): unknown {
  const at = (field: string) => form[`buttons.${i}.${field}`];
  const type = str(at("type"));
  switch (type) {
    case "QUICK_REPLY":
      return { type, text: str(at("text")) };
    case "URL":
      return { type, text: str(at("text")), url: str(at("url")), example: str(at("example")) };
    case "PHONE_NUMBER":
      return { type, text: str(at("text")), phoneNumber: str(at("phoneNumber")) };
    case "OTP":
      return { type, otpType: str(at("otpType")), text: str(at("text")) };
    // The server keeps what Meta holds from the stored template (lib/templates/submit.ts), never from the form.
    case "KEPT":
      return { type, kind: str(at("kind")), text: str(at("text")) };
    default:
      return { type };
  }
}

/** The posted form as the JSON route's request: `{ channelId, templateId?, action, draft }`, unchecked. */
export function requestFromForm(form: Flat): unknown {
  const minutes = str(form.codeExpirationMinutes).trim();
  const blank = (v: unknown) => (str(v).trim() === "" ? undefined : str(v));
  return {
    channelId: blank(form.channelId),
    templateId: blank(form.templateId),
    action: str(form.action) === "submit" ? "submit" : "save",
    draft: {
      name: str(form.name),
      language: str(form.language),
      category: str(form.category),
      allowCategoryChange: checked(form.allowCategoryChange),
      header: header(form),
      body: str(form.body),
      bodyExamples: indexes(form, "bodyExamples").reduce<string[]>((all, i) => {
        all[i] = str(form[`bodyExamples.${i}`]);
        return all;
      }, []).map((v) => v ?? ""),
      footer: str(form.footer),
      buttons: indexes(form, "buttons").map((i) => button(form, i)),
      addSecurityRecommendation: checked(form.addSecurityRecommendation),
      codeExpirationMinutes: minutes === "" ? null : /^\d{1,4}$/.test(minutes) ? Number(minutes) : minutes,
    },
  };
}
