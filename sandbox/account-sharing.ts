import { z } from "zod";
import type { SandboxContext } from "./context";
import { metaError, parseOr, readJson, sendJson, type RequestContext, type Router } from "./http-util";
import type { Partner } from "./types";

// Partner-hosted Embedded Signup (docs/hub-contract.md §7): the one-time settings call and the onboarding of a
// shared WABA. The onboarding path suffix is UNVERIFIED upstream: the V2 reference names
// POST /api/v2/partners/:pid/account_sharing/numbers (lib/hub's default); the sandbox also answers the older
// guess …/account_sharing/onboard. The created channel can be found by listing channels
// with filters={"waba_account.external_id": "<waba_external_id>"}.

const badJson = (message: string) => metaError(400, message);

const settingsBody = z
  .object({ solution_id: z.string().min(1).nullable().optional(), business_manager_id: z.string().min(1).nullable().optional() })
  .strict();

const onboardBody = z
  .object({
    solution_id: z.string().min(1),
    waba_external_id: z.string().min(1),
    waba_business_id: z.string().min(1).nullable().optional(),
    client_id: z.string().min(1).nullable().optional(),
    tier: z.string().nullable().optional(),
  })
  .strict()
  .refine((b) => Boolean(b.waba_business_id) || Boolean(b.client_id), {
    message: "one of waba_business_id or client_id is required",
  });

export function registerAccountSharing(router: Router, sb: SandboxContext, auth: (ctx: RequestContext) => Partner): void {
  const { state, lifecycle } = sb;

  router.on("PATCH", "/api/v2/partners/:pid/settings/account_sharing", async (ctx) => {
    const partner = auth(ctx);
    const body = parseOr(settingsBody, await readJson(ctx, badJson));
    if (body.solution_id !== undefined) partner.accountSharing.solutionId = body.solution_id;
    if (body.business_manager_id !== undefined) partner.accountSharing.businessManagerId = body.business_manager_id;
    state.changed();
    sendJson(ctx.res, 200, { status_code: 200 });
  });

  const onboard = async (ctx: RequestContext) => {
    const partner = auth(ctx);
    const body = parseOr(onboardBody, await readJson(ctx, badJson));
    const configured = partner.accountSharing.solutionId;
    if (!configured) throw metaError(400, "Account sharing is not configured: PATCH settings/account_sharing with a solution_id first");
    if (configured !== body.solution_id) throw metaError(400, `solution_id ${body.solution_id} is not the partner's configured solution`);

    let client = body.client_id ? state.clients.get(body.client_id) : undefined;
    if (body.client_id && (!client || client.partnerId !== partner.id)) throw metaError(404, `Client ${body.client_id} not found`);
    const session = state.esSessions.get(body.waba_external_id);
    const existing = state.channelsOf(partner.id).find((ch) => ch.wabaExternalId === body.waba_external_id);
    if (!existing) {
      client ??= lifecycle.createClient(partner, {
        companyName: session?.businessName ?? `Shared WABA ${body.waba_external_id}`,
        businessId: body.waba_business_id ?? session?.businessId,
      });
      lifecycle.createChannel(partner, client, {
        phoneNumber: session?.phoneNumber ?? undefined,
        phoneName: session?.businessName,
        permitted: true,
        wabaExternalId: body.waba_external_id,
        businessId: body.waba_business_id ?? session?.businessId,
      });
    }
    const clientId = client?.id ?? existing?.clientId ?? null;
    sendJson(ctx.res, 200, {
      solution_id: body.solution_id,
      waba_external_id: body.waba_external_id,
      waba_business_id: body.waba_business_id ?? null,
      client_id: clientId,
      tier: body.tier ?? null,
    });
  };
  router.on("POST", "/api/v2/partners/:pid/account_sharing/numbers", onboard);
  router.on("POST", "/api/v2/partners/:pid/account_sharing/onboard", onboard);
}
