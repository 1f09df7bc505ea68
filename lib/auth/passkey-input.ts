import "server-only";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { AppError } from "../errors";
import { CLIENT_IP_HEADER } from "../http/client-ip";
import { readJsonRequest } from "../http/json-body";
import { PASSKEY_NAME_MAX } from "./passkeys";

// Reading the passkey route handlers' JSON bodies: the shape is checked here, the content (signatures, challenge,
// origin) by @simplewebauthn/server.

const MAX_BODY_BYTES = 64 * 1024;

const credentialShape = z.looseObject({
  id: z.string().min(1).max(1024),
  rawId: z.string().min(1).max(1024),
  type: z.literal("public-key"),
  response: z.looseObject({ clientDataJSON: z.string().max(16_384) }),
  clientExtensionResults: z.looseObject({}).default({}),
});

const registrationBody = z.object({
  name: z.string().trim().min(1, "Name the passkey.").max(PASSKEY_NAME_MAX, `At most ${PASSKEY_NAME_MAX} characters.`),
  response: credentialShape,
});

const signInBody = z.object({ response: credentialShape });

async function readBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  const body = await readJsonRequest(req, MAX_BODY_BYTES);
  if (!body.ok) {
    if (body.reason === "too_large") throw new AppError("too_large", "The request is too large.");
    if (body.reason === "timeout") throw new AppError("timeout", "The request took too long to arrive.");
    throw new AppError("invalid:json", "Send a JSON body.");
  }
  const parsed = schema.safeParse(body.data);
  if (!parsed.success) throw new AppError("invalid:passkey", "The passkey answer is not in the expected form.");
  return parsed.data;
}

export async function readRegistrationBody(req: Request): Promise<{ name: string; response: RegistrationResponseJSON }> {
  const { name, response } = await readBody(req, registrationBody);
  return { name, response: response as unknown as RegistrationResponseJSON };
}

export async function readSignInBody(req: Request): Promise<{ response: AuthenticationResponseJSON }> {
  const { response } = await readBody(req, signInBody);
  return { response: response as unknown as AuthenticationResponseJSON };
}

export function clientIpOf(req: Request): string {
  return req.headers.get(CLIENT_IP_HEADER) ?? "unknown";
}
