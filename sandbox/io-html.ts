import { escapeHtml, field, hidden, page } from "./html";

// The Integrated Onboarding pages: signup, simulated Embedded Signup, permission screen, cancelled, done.
// Plain forms; each step posts the flow id in a hidden field.

export type FieldErrors = Partial<Record<string, string>>;

/**
 * The languages 360dialog's sign-up form is known to take as `lang`: the Connect Button package typed exactly these
 * (0.9.0); 360dialog documents none. Any other value is ignored, as far as is known, and the form keeps its default.
 */
export const IO_FORM_LANGS = ["en", "de", "pt"] as const;

/** Which language the real form would be in: the sandbox says so, and stays in English itself. */
function langNotice(lang: string | null): string {
  if (!lang) return "";
  if ((IO_FORM_LANGS as readonly string[]).includes(lang)) {
    return `<p class="notice" data-io-lang="${escapeHtml(lang)}">Language: <code>${escapeHtml(lang)}</code>. 360dialog's form would be shown in it; this sandbox stays in English.</p>`;
  }
  return `<p class="notice" data-io-lang="">Language <code>${escapeHtml(lang)}</code> is not one 360dialog's form is known to take (${IO_FORM_LANGS.join(", ")}): it is ignored and the form keeps its default.</p>`;
}

export function signupPage(flowId: string, partnerName: string, values: Record<string, string>, errors: FieldErrors = {}, lang: string | null = null): string {
  return page(
    "Create your 360dialog account",
    `<p>You are connecting WhatsApp for <strong>${escapeHtml(partnerName)}</strong>.</p>
${langNotice(lang)}
<form method="post" action="/io/signup" novalidate>
${hidden("flow", flowId)}
${field("email", "Email", values.email ?? "", { type: "email", required: true, autocomplete: "email", error: errors.email })}
${field("full_name", "Full name", values.full_name ?? "", { required: true, autocomplete: "name", error: errors.full_name })}
${field("company_name", "Company name", values.company_name ?? "", { required: true, autocomplete: "organization", error: errors.company_name })}
<div class="actions"><button type="submit" name="action" value="signup">Create account</button></div>
</form>`,
  );
}

export function embeddedSignupPage(flowId: string, values: Record<string, string>, errors: FieldErrors = {}): string {
  return page(
    "Connect your WhatsApp number",
    `<p class="notice">Simulated Meta Embedded Signup: no Facebook login happens in the sandbox.</p>
<form method="post" action="/io/embedded-signup" novalidate>
${hidden("flow", flowId)}
${field("business_name", "Business name", values.business_name ?? "", { required: true, autocomplete: "organization", error: errors.business_name })}
${field("phone_number", "Phone number", values.phone_number ?? "", { type: "tel", required: true, autocomplete: "tel", error: errors.phone_number })}
<div class="actions">
<button type="submit" name="action" value="continue">Continue</button>
<button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Cancel</button>
</div>
</form>`,
  );
}

export interface PermissionRow {
  id: string;
  phoneNumber: string;
  status: string;
  checked: boolean;
}

export function permissionPage(flowId: string, partnerName: string, rows: PermissionRow[]): string {
  const items = rows
    .map((r) => {
      const id = `perm-${escapeHtml(r.id)}`;
      return `<div class="check"><input type="checkbox" id="${id}" name="channel" value="${escapeHtml(r.id)}"${r.checked ? " checked" : ""}>
<label for="${id}">${escapeHtml(r.phoneNumber)} <small>(${escapeHtml(r.status)})</small></label></div>`;
    })
    .join("\n");
  const list = rows.length > 0 ? items : "<p>This account has no numbers yet.</p>";
  return page(
    "Grant API access",
    `<p><strong>${escapeHtml(partnerName)}</strong> asks for permission to use these numbers through the API.
Checked numbers are permitted; unchecked ones are revoked.</p>
<form method="post" action="/io/permissions">
${hidden("flow", flowId)}
<fieldset><legend>Numbers ${escapeHtml(partnerName)} may use</legend>
${list}
</fieldset>
<div class="actions"><button type="submit" name="action" value="confirm">Confirm permissions</button></div>
</form>`,
  );
}

export function cancelledPage(partnerName: string, backHref: string): string {
  return page(
    "Onboarding cancelled",
    `<p role="status">Onboarding was cancelled. No number was connected to ${escapeHtml(partnerName)}.</p>
<p><a href="${escapeHtml(backHref)}">Back to the start of the onboarding</a></p>`,
  );
}

/** Shown instead of a redirect when neither redirect_url nor the partner's redirect URL is set. */
export function donePage(query: string): string {
  return page(
    "Onboarding finished",
    `<p role="status">No redirect URL is configured for this partner, so the sandbox stops here.</p>
<p>The redirect would have carried: <code>${escapeHtml(query)}</code></p>`,
  );
}
