// Server-rendered pages of the sandbox: one layout, inline CSS, no external resources.

export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** JSON for an inline <script>: `<` escaped so no value can close the script element. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c").replaceAll("\u2028", "\\u2028").replaceAll("\u2029", "\\u2029");
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;background:#f3f5f7;color:#1c2530}
header{background:#0b5cad;color:#fff;padding:.6rem 1.2rem;font-weight:600}
header small{font-weight:400;opacity:.85;margin-left:.5rem}
main{max-width:34rem;margin:2rem auto;background:#fff;padding:1.5rem 1.75rem;border-radius:10px;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 1rem}
label{display:block;font-weight:600;margin:.9rem 0 .25rem}
input[type=text],input[type=email],input[type=tel],select{width:100%;padding:.5rem .6rem;border:1px solid #9aa5b1;border-radius:6px;font:inherit}
input:focus,select:focus,button:focus,a:focus{outline:3px solid #f5a623;outline-offset:2px}
.check{display:flex;gap:.6rem;align-items:center;font-weight:400;margin:.5rem 0}
.actions{display:flex;gap:.75rem;margin-top:1.4rem;flex-wrap:wrap}
button{padding:.55rem 1.2rem;border-radius:6px;border:1px solid #0b5cad;background:#0b5cad;color:#fff;font:inherit;cursor:pointer}
button.secondary{background:#fff;color:#0b5cad}
button.danger{background:#fff;color:#a31515;border-color:#a31515}
.error{color:#a31515;margin:.25rem 0 0}
.notice{background:#fff4e5;border-left:4px solid #f5a623;padding:.6rem .8rem}
code{background:#eef1f4;padding:0 .25rem;border-radius:4px}
`;

export function page(title: string, body: string, options: { script?: string } = {}): string {
  const script = options.script ? `<script>${options.script}</script>` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · 360dialog sandbox</title>
<style>${CSS}</style>
</head>
<body>
<header>360dialog <small>local sandbox — not the real hub</small></header>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
${script}
</body>
</html>`;
}

export function messagePage(title: string, message: string, linkHtml = ""): string {
  return page(title, `<p role="alert">${escapeHtml(message)}</p>${linkHtml}`);
}

export function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

export interface FieldOptions {
  type?: "text" | "email" | "tel";
  required?: boolean;
  autocomplete?: string;
  error?: string;
}

/** A labelled input; an error is tied to it with aria-describedby. */
export function field(id: string, label: string, value: string, options: FieldOptions = {}): string {
  const errorId = `${id}-error`;
  const attrs = [
    `type="${options.type ?? "text"}"`,
    `id="${id}"`,
    `name="${id}"`,
    `value="${escapeHtml(value)}"`,
    options.required ? "required" : "",
    options.autocomplete ? `autocomplete="${options.autocomplete}"` : "",
    options.error ? `aria-invalid="true" aria-describedby="${errorId}"` : "",
  ].filter(Boolean);
  const error = options.error ? `<p class="error" id="${errorId}">${escapeHtml(options.error)}</p>` : "";
  return `<label for="${id}">${escapeHtml(label)}</label><input ${attrs.join(" ")}>${error}`;
}
