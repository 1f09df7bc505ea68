import { z } from "zod";
import type { SandboxContext } from "./context";
import { escapeHtml, messagePage, page } from "./html";
import { HttpError, isHttpUrl, readForm, sendHtml, sendRedirect, type RequestContext, type Router } from "./http-util";
import { newFlowId } from "./ids";
import { cancelledPage, donePage, embeddedSignupPage, permissionPage, signupPage, type FieldErrors } from "./io-html";
import { IO_SIGNATURE_MESSAGES, checkIoSignature } from "./io-signature";
import type { Client, IoFlow, Partner } from "./types";

// Integrated Onboarding (docs/hub-contract.md §1–3): entry pages v1 /dashboard/app/:pid[/permissions] and
// v2 /onboarding/:pid, then signup → simulated Embedded Signup → (direct payment) permission screen →
// 302 to the redirect URL with client, channels=[…] (raw brackets), revoked=[…] and state (echo UNVERIFIED).

const FLOW_TTL_MS = 60 * 60 * 1000;
const emailSchema = z.email();

function htmlError(status: number, title: string, message: string): HttpError {
  return new HttpError(status, messagePage(title, message), { html: true });
}

function entryWithoutSignature(url: URL): string {
  const q = new URLSearchParams(url.search);
  q.delete("io_signature");
  q.delete("io_timestamp");
  const rest = q.toString();
  return rest ? `${url.pathname}?${rest}` : url.pathname;
}

/** A query value decoded without turning `+` into a space: the connect button appends `number=+49…` unencoded. */
function rawParam(url: URL, name: string): string {
  for (const pair of url.search.replace(/^\?/, "").split("&")) {
    const eq = pair.indexOf("=");
    if (eq < 0 || pair.slice(0, eq) !== name) continue;
    try {
      return decodeURIComponent(pair.slice(eq + 1)).trim();
    } catch {
      return "";
    }
  }
  return "";
}

/** Normalises a phone number to +digits (E.164 length), or null. */
export function normalisePhone(raw: string): string | null {
  const compact = raw.replace(/[\s().-]/g, "");
  return /^\+?[1-9]\d{6,14}$/.test(compact) ? `+${compact.replace(/^\+/, "")}` : null;
}

/** `client=…&channels=[a,b]` with raw brackets and commas, as in 360dialog's own example (docs/hub-contract.md §2.1). */
export function redirectQuery(clientId: string, channels: string[], revoked: string[], state: string | null): string {
  let q = `client=${encodeURIComponent(clientId)}&channels=[${channels.map(encodeURIComponent).join(",")}]`;
  if (revoked.length > 0) q += `&revoked=[${revoked.map(encodeURIComponent).join(",")}]`;
  if (state) q += `&state=${encodeURIComponent(state)}`;
  return q;
}

function appendQuery(target: string, query: string): string {
  const hashAt = target.indexOf("#");
  const base = hashAt >= 0 ? target.slice(0, hashAt) : target;
  const hash = hashAt >= 0 ? target.slice(hashAt) : "";
  const sep = !base.includes("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
  return `${base}${sep}${query}${hash}`;
}

export function registerIoPages(router: Router, sb: SandboxContext): void {
  const { state, lifecycle } = sb;

  function partnerOf(flow: IoFlow): Partner {
    const partner = state.partners.get(flow.partnerId);
    if (!partner) throw htmlError(410, "Onboarding expired", "This partner no longer exists in the sandbox.");
    return partner;
  }

  function takeFlow(form: URLSearchParams, step: IoFlow["step"]): IoFlow {
    const flow = state.flows.get(form.get("flow") ?? "");
    if (!flow || flow.expiresAt < state.now() || flow.step !== step) {
      throw htmlError(410, "Onboarding expired", "This onboarding step has expired or was already completed. Start again from the partner's site.");
    }
    return flow;
  }

  function showPermissions(ctx: RequestContext, flow: IoFlow, partner: Partner, client: Client): void {
    flow.step = "permissions";
    const rows = state
      .channelsOfClient(client.id)
      .filter((ch) => ch.partnerId === partner.id)
      .map((ch) => ({ id: ch.id, phoneNumber: ch.phoneNumber, status: ch.status, checked: true }));
    sendHtml(ctx.res, 200, permissionPage(flow.id, partner.name, rows));
  }

  function finish(ctx: RequestContext, flow: IoFlow, partner: Partner, clientId: string, channels: string[], revoked: string[]): void {
    flow.step = "done";
    const query = redirectQuery(clientId, channels, revoked, partner.redirectState === "omit" ? null : flow.params.state);
    // Upstream falls back to http://app.360dialog.io without a redirect URL; the sandbox shows a page instead.
    const target = flow.params.redirectUrl ?? partner.redirectUrl;
    if (!target) return sendHtml(ctx.res, 200, donePage(query));
    // Re-serialised by URL so no raw control or non-ASCII character reaches the Location header.
    sendRedirect(ctx.res, appendQuery(new URL(target).href, query));
  }

  function start(ctx: RequestContext, permissionsEntry: boolean): void {
    const partner = state.partners.get(ctx.params.pid ?? "");
    if (!partner) throw htmlError(404, "Unknown partner", `There is no partner ${ctx.params.pid ?? ""} in this sandbox.`);
    const q = ctx.query;
    state.prune();
    if (partner.ioSignature.enabled) {
      const result = checkIoSignature({
        partnerId: partner.id,
        secret: partner.platformSecret,
        encoding: partner.ioSignature.encoding,
        windowSeconds: state.config.ioSignatureWindowSeconds,
        nowSeconds: state.nowSeconds(),
        signature: q.get("io_signature"),
        timestamp: q.get("io_timestamp"),
        used: state.usedIoSignatures,
      });
      if (!result.ok) {
        sb.log(`[sandbox] IO signature refused for ${partner.id}: ${result.reason}`);
        throw htmlError(403, "IO signature rejected", IO_SIGNATURE_MESSAGES[result.reason]);
      }
      state.changed();
    }
    const redirectUrl = q.get("redirect_url") || null;
    if (redirectUrl && !isHttpUrl(redirectUrl)) throw htmlError(400, "Invalid redirect URL", "redirect_url must be an http(s) URL.");
    const flow: IoFlow = {
      id: newFlowId(),
      partnerId: partner.id,
      entryKind: permissionsEntry ? "permissions" : "signup",
      entry: entryWithoutSignature(ctx.url),
      step: "signup",
      params: {
        email: q.get("email") ?? "",
        name: q.get("name") ?? "",
        number: rawParam(ctx.url, "number"),
        state: q.get("state") || null,
        redirectUrl,
        // UNVERIFIED (docs/hub-contract.md §1.3): the sandbox stores the `partner` param as the client's partner_payload.
        partnerPayload: q.get("partner") || null,
        lang: q.get("lang") || null,
      },
      clientId: null,
      newChannelIds: [],
      signup: null,
      expiresAt: state.now() + FLOW_TTL_MS,
    };
    state.flows.set(flow.id, flow);

    const clientIdParam = q.get("client_id");
    let existing: Client | undefined;
    if (clientIdParam) {
      existing = state.clients.get(clientIdParam);
      if (!existing || existing.partnerId !== partner.id) throw htmlError(404, "Unknown client", `There is no client ${clientIdParam} for this partner.`);
    } else if (permissionsEntry && flow.params.email) {
      existing = findClientByEmail(partner, flow.params.email);
    }
    if (existing) {
      flow.clientId = existing.id;
      if (permissionsEntry) return showPermissions(ctx, flow, partner, existing);
      flow.step = "embedded_signup";
      return sendHtml(ctx.res, 200, embeddedSignupPage(flow.id, { business_name: existing.name, phone_number: flow.params.number }));
    }
    sendHtml(ctx.res, 200, signupPage(flow.id, partner.name, { email: flow.params.email, full_name: flow.params.name }, {}, flow.params.lang));
  }

  function findClientByEmail(partner: Partner, email: string): Client | undefined {
    const wanted = email.trim().toLowerCase();
    return state.clientsOf(partner.id).find((c) => c.contactInfo.email.toLowerCase() === wanted);
  }

  router.on("GET", "/dashboard/app/:pid", (ctx) => start(ctx, false));
  router.on("GET", "/dashboard/app/:pid/permissions", (ctx) => start(ctx, true));
  router.on("GET", "/onboarding/:pid", (ctx) => start(ctx, false));

  router.on("POST", "/io/signup", async (ctx) => {
    const form = await readForm(ctx);
    const flow = takeFlow(form, "signup");
    const partner = partnerOf(flow);
    const values = {
      email: (form.get("email") ?? "").trim(),
      full_name: (form.get("full_name") ?? "").trim(),
      company_name: (form.get("company_name") ?? "").trim(),
    };
    const errors: FieldErrors = {};
    if (!emailSchema.safeParse(values.email).success) errors.email = "Enter a valid email address.";
    if (values.full_name === "" || values.full_name.length > 200) errors.full_name = "Enter your full name.";
    if (values.company_name === "" || values.company_name.length > 200) errors.company_name = "Enter your company name.";
    if (Object.keys(errors).length > 0) return sendHtml(ctx.res, 400, signupPage(flow.id, partner.name, values, errors, flow.params.lang));
    flow.signup = { email: values.email, fullName: values.full_name, companyName: values.company_name };
    const existing = findClientByEmail(partner, values.email);
    if (existing) {
      flow.clientId = existing.id;
      if (flow.entryKind === "permissions") return showPermissions(ctx, flow, partner, existing);
    }
    flow.step = "embedded_signup";
    sendHtml(ctx.res, 200, embeddedSignupPage(flow.id, { business_name: values.company_name, phone_number: flow.params.number }));
  });

  router.on("POST", "/io/embedded-signup", async (ctx) => {
    const form = await readForm(ctx);
    const flow = takeFlow(form, "embedded_signup");
    const partner = partnerOf(flow);
    if (form.get("action") === "cancel") {
      flow.step = "done";
      return sendHtml(ctx.res, 200, cancelledPage(partner.name, flow.entry));
    }
    const values = { business_name: (form.get("business_name") ?? "").trim(), phone_number: (form.get("phone_number") ?? "").trim() };
    const errors: FieldErrors = {};
    if (values.business_name === "" || values.business_name.length > 200) errors.business_name = "Enter the business name.";
    const phone = normalisePhone(values.phone_number);
    if (!phone) errors.phone_number = "Enter a phone number in international format, e.g. +49 151 23456789.";
    if (!phone || Object.keys(errors).length > 0) return sendHtml(ctx.res, 400, embeddedSignupPage(flow.id, values, errors));

    const existingClient = flow.clientId ? state.clients.get(flow.clientId) : undefined;
    const client =
      existingClient ??
      lifecycle.createClient(partner, {
        email: flow.signup?.email ?? flow.params.email,
        fullName: flow.signup?.fullName ?? flow.params.name,
        companyName: flow.signup?.companyName ?? values.business_name,
        partnerPayload: flow.params.partnerPayload,
      });
    flow.clientId = client.id;
    const channel = lifecycle.createChannel(partner, client, { phoneNumber: phone, phoneName: values.business_name });
    flow.newChannelIds.push(channel.id);
    // Direct-payment clients grant API permission on the permission screen; partner-payment ones have it by default.
    if (partner.paymentMode === "direct") return showPermissions(ctx, flow, partner, client);
    finish(ctx, flow, partner, client.id, [channel.id], []);
  });

  router.on("POST", "/io/permissions", async (ctx) => {
    const form = await readForm(ctx);
    const flow = takeFlow(form, "permissions");
    const partner = partnerOf(flow);
    const client = flow.clientId ? state.clients.get(flow.clientId) : undefined;
    if (!client) throw htmlError(410, "Onboarding expired", "The client of this onboarding no longer exists.");
    const checked = new Set(form.getAll("channel"));
    const granted: string[] = [];
    const revoked: string[] = [];
    for (const channel of state.channelsOfClient(client.id).filter((ch) => ch.partnerId === partner.id)) {
      if (checked.has(channel.id)) {
        lifecycle.grantPermission(channel);
        granted.push(channel.id);
      } else {
        lifecycle.revokePermission(channel);
        revoked.push(channel.id);
      }
    }
    finish(ctx, flow, partner, client.id, granted, revoked);
  });

  router.on("GET", "/", (ctx) => {
    const partners = [...state.partners.values()]
      .map((p) => `<li><code>${escapeHtml(p.id)}</code> ${escapeHtml(p.name)} (${p.paymentMode} payment${p.ioSignature.enabled ? ", IO signature on" : ""}):
<a href="/onboarding/${encodeURIComponent(p.id)}">start onboarding</a></li>`)
      .join("\n");
    sendHtml(
      ctx.res,
      200,
      page("360dialog sandbox", `<p>A local stand-in for 360dialog. Control API under <code>/_sandbox/</code>.</p>
<ul>${partners || "<li>No partners yet: POST /_sandbox/partners.</li>"}</ul>`),
    );
  });
}
