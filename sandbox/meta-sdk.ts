import { z } from "zod";
import type { SandboxContext } from "./context";
import { escapeHtml, inlineJson, page } from "./html";
import { HttpError, readJson, sendHtml, sendJson, sendText, type Router } from "./http-util";
import { randomAlnum, randomDigits } from "./ids";
import { normalisePhone } from "./io-pages";
import { popupScript, sdkScript } from "./meta-sdk-client";

// Meta JS SDK stand-in for partner-hosted Embedded Signup (docs/hub-contract.md §7). GET /meta/sdk.js defines
// window.FB; FB.login() opens GET /meta/embedded-signup in a popup on the SANDBOX origin, which posts the
// WA_EMBEDDED_SIGNUP message (a JSON string) to its opener, so `event.origin` is the sandbox's origin (where
// Meta's is https://www.facebook.com): the portal must accept the origin it is configured with.

const CANCEL_STEPS = [
  "BUSINESS_ACCOUNT_SELECTION",
  "WABA_PHONE_PROFILE_PICKER",
  "WHATSAPP_BUSINESS_PROFILE_SETUP",
  "PHONE_NUMBER_SETUP",
  "PHONE_NUMBER_VERIFICATION",
  "PERMISSIONS",
];

const finishBody = z.object({
  business_name: z.string().max(200),
  phone_number: z.string().max(40),
  feature: z.string().max(100).optional(),
});

function validOrigin(value: string | null): string | null {
  if (!value) return null;
  try {
    const u = new URL(value);
    return (u.protocol === "http:" || u.protocol === "https:") && u.origin === value ? value : null;
  } catch {
    return null;
  }
}

function popupPage(origin: string, version: number, feature: string): string {
  const onlyWaba = feature === "only_waba_sharing";
  const steps = CANCEL_STEPS.map((s) => `<option value="${s}">${s}</option>`).join("");
  const body = `<p class="notice">Simulated Meta Embedded Signup for <code>${escapeHtml(origin)}</code>. No Facebook account is involved.</p>
<form onsubmit="return false">
<label for="es-business">Business name</label><input type="text" id="es-business" value="Sandbox Business" autocomplete="organization">
<label for="es-phone">Phone number${onlyWaba ? " (not used: WABA-only sharing)" : ""}</label><input type="tel" id="es-phone" value="+1555${randomDigits(7)}" autocomplete="tel">
<div class="actions"><button type="button" id="es-finish">Finish</button></div>
<label for="es-step">Step at which to cancel</label><select id="es-step">${steps}</select>
<div class="actions"><button type="button" id="es-cancel" class="secondary">Cancel</button></div>
<label for="es-error-message">Error message</label><input type="text" id="es-error-message" value="Simulated Embedded Signup error">
<div class="actions"><button type="button" id="es-error" class="danger">Error</button></div>
</form>
<p id="es-status" role="status" aria-live="polite"></p>`;
  return page("Embedded Signup", body, { script: popupScript(inlineJson({ origin, version, feature })) });
}

export function registerMetaSdk(router: Router, sb: SandboxContext): void {
  const { state } = sb;

  router.on("GET", "/meta/sdk.js", (ctx) => {
    sendText(ctx.res, 200, "application/javascript; charset=utf-8", sdkScript(sb.baseUrl()));
  });

  router.on("GET", "/meta/embedded-signup", (ctx) => {
    const origin = validOrigin(ctx.query.get("origin"));
    if (!origin) throw new HttpError(400, page("Embedded Signup", "<p role=\"alert\">Missing or invalid origin parameter.</p>"), { html: true });
    const version = Number(ctx.query.get("version")) || 3;
    const feature = ctx.query.get("feature") ?? "";
    sendHtml(ctx.res, 200, popupPage(origin, version, feature));
  });

  router.on("POST", "/meta/embedded-signup/finish", async (ctx) => {
    const invalid = (error: string) => new HttpError(400, { error });
    const parsed = finishBody.safeParse(await readJson(ctx, invalid));
    if (!parsed.success) throw invalid("business_name and phone_number are required");
    const onlyWaba = parsed.data.feature === "only_waba_sharing";
    const businessName = parsed.data.business_name.trim();
    if (!businessName) throw invalid("Enter a business name.");
    const phone = onlyWaba ? null : normalisePhone(parsed.data.phone_number);
    if (!onlyWaba && !phone) throw invalid("Enter a phone number in international format.");
    const session = {
      wabaId: randomDigits(15),
      phoneNumberId: onlyWaba ? null : randomDigits(15),
      businessId: randomDigits(15),
      phoneNumber: phone,
      businessName,
      code: randomAlnum(40),
      createdAt: state.iso(),
    };
    state.esSessions.set(session.wabaId, session);
    state.changed();
    const data = onlyWaba
      ? { waba_id: session.wabaId, business_id: session.businessId }
      : { phone_number_id: session.phoneNumberId, waba_id: session.wabaId, business_id: session.businessId };
    sendJson(ctx.res, 200, { event: onlyWaba ? "FINISH_ONLY_WABA" : "FINISH", data, code: session.code });
  });
}
