import { z } from "zod";
import { isHttpUrl } from "./http-util";
import type { SandboxState } from "./state";
import type { Partner } from "./types";

// Seeding partners (control API and --seed-default). Only the fields given are changed on an existing partner.

const httpUrl = z.string().refine(isHttpUrl, "must be an http(s) URL");
const encoding = z.enum(["hex", "base64"]);

export const partnerSeedSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{2,64}$/, "2–64 letters, digits, _ or -"),
    name: z.string().min(1).max(200).optional(),
    apiKey: z.string().min(8).max(256),
    username: z.string().min(1).max(200).nullable().optional(),
    password: z.string().min(1).max(200).nullable().optional(),
    platformSecret: z.string().min(8).max(256),
    paymentMode: z.enum(["partner", "direct"]).optional(),
    ioSignature: z.object({ enabled: z.boolean(), encoding: encoding.optional() }).strict().optional(),
    webhookSignatureEncoding: encoding.optional(),
    redirectUrl: httpUrl.nullable().optional(),
    webhookUrl: httpUrl.nullable().optional(),
    webhookHeaders: z.record(z.string(), z.string()).optional(),
    lifecycleDelayMs: z.number().int().min(0).max(3_600_000).nullable().optional(),
    redirectState: z.enum(["echo", "omit"]).optional(),
  })
  .strict();

export type PartnerSeed = z.infer<typeof partnerSeedSchema>;

export const DEFAULT_PARTNER: PartnerSeed = {
  id: "sandboxPA",
  name: "Sandbox Partner",
  apiKey: "sandbox-partner-key",
  username: "sandbox@example.test",
  password: "sandbox-password",
  platformSecret: "sandbox-platform-secret",
  paymentMode: "partner",
  ioSignature: { enabled: false, encoding: "hex" },
};

export function upsertPartner(state: SandboxState, seed: PartnerSeed): { partner: Partner; created: boolean } {
  // Another partner with the same API key would make X-API-Key ambiguous.
  for (const other of state.partners.values()) {
    if (other.id !== seed.id && other.apiKey === seed.apiKey) throw new Error(`apiKey already used by partner ${other.id}`);
  }
  const existing = state.partners.get(seed.id);
  const partner: Partner = existing ?? {
    id: seed.id,
    name: seed.id,
    apiKey: seed.apiKey,
    username: null,
    password: null,
    platformSecret: seed.platformSecret,
    paymentMode: "partner",
    ioSignature: { enabled: false, encoding: "hex" },
    webhookSignatureEncoding: "hex",
    redirectUrl: null,
    webhookUrl: null,
    webhookHeaders: {},
    lifecycleDelayMs: null,
    redirectState: "echo",
    accountSharing: { solutionId: null, businessManagerId: null },
    createdAt: state.iso(),
  };
  partner.apiKey = seed.apiKey;
  partner.platformSecret = seed.platformSecret;
  if (seed.name !== undefined) partner.name = seed.name;
  if (seed.username !== undefined) partner.username = seed.username;
  if (seed.password !== undefined) partner.password = seed.password;
  if (seed.paymentMode !== undefined) partner.paymentMode = seed.paymentMode;
  if (seed.ioSignature !== undefined) {
    partner.ioSignature = { enabled: seed.ioSignature.enabled, encoding: seed.ioSignature.encoding ?? partner.ioSignature.encoding };
  }
  if (seed.webhookSignatureEncoding !== undefined) partner.webhookSignatureEncoding = seed.webhookSignatureEncoding;
  if (seed.redirectUrl !== undefined) partner.redirectUrl = seed.redirectUrl;
  if (seed.webhookUrl !== undefined) partner.webhookUrl = seed.webhookUrl;
  if (seed.webhookHeaders !== undefined) partner.webhookHeaders = seed.webhookHeaders;
  if (seed.lifecycleDelayMs !== undefined) partner.lifecycleDelayMs = seed.lifecycleDelayMs;
  if (seed.redirectState !== undefined) partner.redirectState = seed.redirectState;
  state.partners.set(partner.id, partner);
  state.changed();
  return { partner, created: !existing };
}
