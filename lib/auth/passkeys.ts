import "server-only";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import {
  advancePasskeyCounter,
  consumeChallenge,
  deletePasskey,
  findPasskeyByCredentialId,
  insertChallenge,
  insertPasskey,
  listPasskeys,
  renamePasskey,
} from "@/db/queries/account-security";
import { findUserById } from "@/db/queries/users";
import type { Passkey } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { publicBaseUrl } from "../env";
import { AppError } from "../errors";
import { logger } from "../log";
import { clearFlowCookie, FLOW_COOKIE_MAX_AGE, readFlowCookie, setFlowCookie } from "./flow-cookies";
import { finishSignIn, pendingSignIn } from "./second-factor";
import { registerLoginAttempt } from "./throttle";
import { newToken, sha256 } from "./tokens";

// Passkeys (WebAuthn, through @simplewebauthn/server; docs/accounts.md §2). The relying party is the host of
// NEXTAUTH_URL and the only origin accepted is its origin. User verification (PIN, fingerprint) is required at
// registration and at every sign-in, so a passkey alone is two factors (something held, something known or
// been) and signs in without a password; the signature counter must move forward, else the assertion is refused.

const RP_NAME = "Partner portal";

export const PASSKEY_NAME_MAX = 60;

function relyingParty(): { rpID: string; origin: string } {
  const url = new URL(publicBaseUrl());
  return { rpID: url.hostname, origin: url.origin };
}

const toB64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, "base64url"));

async function storeChallenge(purpose: "passkey_sign_in" | "passkey_register", challenge: string, userId: string | null): Promise<void> {
  const token = newToken();
  await insertChallenge({
    db: await getDb(),
    challenge: { tokenHash: sha256(token), purpose, userId, challenge, expiresAt: new Date(Date.now() + FLOW_COOKIE_MAX_AGE.passkey * 1000) },
  });
  await setFlowCookie("passkey", token);
}

/** The ceremony's challenge, taken out once: a response can be verified against it a single time. */
async function takeChallenge(purpose: "passkey_sign_in" | "passkey_register") {
  const token = await readFlowCookie("passkey");
  await clearFlowCookie("passkey");
  if (!token) return undefined;
  return consumeChallenge({ db: await getDb(), tokenHash: sha256(token), purpose });
}

// ---- registration (a signed-in user) ----

export async function passkeyRegistrationOptions(user: Actor & { name: string }): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await listPasskeys({ db: await getDb(), userId: user.id });
  const { rpID } = relyingParty();
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID,
    userName: user.email,
    userDisplayName: user.name || user.email,
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    // A discoverable credential, so the same passkey later signs in without typing an email.
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  await storeChallenge("passkey_register", options.challenge, user.id);
  return options;
}

export async function registerPasskey(user: Actor, input: { name: string; response: RegistrationResponseJSON }, ip: string): Promise<Passkey> {
  const challenge = await takeChallenge("passkey_register");
  if (!challenge?.challenge || challenge.userId !== user.id) {
    throw new AppError("gone:passkey_challenge", "The passkey set-up took too long or was started elsewhere. Try again.");
  }
  const { rpID, origin } = relyingParty();
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: true,
    });
  } catch (err) {
    logger("auth").info({ err: err instanceof Error ? err.message : String(err) }, "passkey registration refused");
    throw new AppError("invalid:passkey", "The passkey could not be verified. Try again, and confirm with your PIN or fingerprint when asked.");
  }
  if (!verification.verified) throw new AppError("invalid:passkey", "The passkey could not be verified.");
  const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
  const db = await getDb();
  if (await findPasskeyByCredentialId({ db, credentialId: credential.id })) throw new AppError("conflict:passkey", "This passkey is already registered.");
  return db.transaction(async (tx) => {
    const stored = await insertPasskey({
      db: tx,
      passkey: {
        userId: user.id,
        name: input.name.trim() || "Passkey",
        credentialId: credential.id,
        publicKey: toB64(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports ?? [],
        deviceType: credentialDeviceType,
        backedUp: credentialBackedUp,
      },
    });
    await audit(tx, { actor: user, action: "passkey.registered", targetType: "passkey", targetId: stored.id, detail: { name: stored.name }, ip });
    return stored;
  });
}

export async function listMyPasskeys(userId: string): Promise<Passkey[]> {
  return listPasskeys({ db: await getDb(), userId });
}

export async function renameMyPasskey(user: Actor, id: string, name: string, ip: string): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    const renamed = await renamePasskey({ db: tx, userId: user.id, id, name: name.trim() });
    if (!renamed) throw new AppError("not_found:passkey", "That passkey no longer exists.");
    await audit(tx, { actor: user, action: "passkey.renamed", targetType: "passkey", targetId: id, detail: { name: renamed.name }, ip });
  });
}

export async function removeMyPasskey(user: Actor, id: string, ip: string): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    const removed = await deletePasskey({ db: tx, userId: user.id, id });
    if (!removed) throw new AppError("not_found:passkey", "That passkey no longer exists.");
    await audit(tx, { actor: user, action: "passkey.removed", targetType: "passkey", targetId: id, detail: { name: removed.name }, ip });
  });
}

// ---- sign-in ----

/**
 * Options for a passkey sign-in. With a pending second step (a right password) the user's own passkeys are
 * offered; otherwise the browser offers any discoverable passkey of this site (password-less sign-in).
 */
export async function passkeySignInOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const pending = await pendingSignIn();
  const { rpID } = relyingParty();
  const allow = pending ? await listPasskeys({ db: await getDb(), userId: pending.user.id }) : [];
  const options = await generateAuthenticationOptions({
    rpID,
    userVerification: "required",
    allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransport[] })),
  });
  await storeChallenge("passkey_sign_in", options.challenge, pending?.user.id ?? null);
  return options;
}

const REFUSED = "This passkey was not accepted. Try again, or sign in with your password.";

/** Verifies a passkey assertion and sets the session. Throws AppError (invalid, gone, throttled). */
export async function signInWithPasskey(response: AuthenticationResponseJSON, ip: string): Promise<void> {
  const challenge = await takeChallenge("passkey_sign_in");
  if (!challenge?.challenge) throw new AppError("gone:passkey_challenge", "The passkey sign-in took too long. Try again.");
  const db = await getDb();
  const passkey = await findPasskeyByCredentialId({ db, credentialId: response.id });
  // Counted per IP (and per email once the passkey names one), like every sign-in attempt (docs/security.md R24).
  const user = passkey ? await findUserById({ db, id: passkey.userId }) : undefined;
  const verdict = await registerLoginAttempt({ email: user?.email ?? "", ip });
  if (!verdict.allowed) throw new AppError("throttled:sign_in", "Too many sign-in attempts. Please wait and try again.");
  if (!passkey || !user || user.disabledAt || !user.passwordHash) throw new AppError("invalid:passkey", REFUSED);
  // A passkey offered for a pending second step must belong to the user whose password was typed.
  if (challenge.userId && challenge.userId !== user.id) throw new AppError("invalid:passkey", REFUSED);
  const { rpID, origin } = relyingParty();
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: { id: passkey.credentialId, publicKey: fromB64(passkey.publicKey), counter: passkey.counter, transports: passkey.transports as AuthenticatorTransport[] },
      requireUserVerification: true,
    });
  } catch (err) {
    // Includes a counter that did not move forward (a cloned authenticator), which the library refuses.
    logger("auth").warn({ err: err instanceof Error ? err.message : String(err), passkeyId: passkey.id }, "passkey assertion refused");
    throw new AppError("invalid:passkey", REFUSED);
  }
  if (!result.verified) throw new AppError("invalid:passkey", REFUSED);
  if (!(await advancePasskeyCounter({ db, id: passkey.id, from: passkey.counter, to: result.authenticationInfo.newCounter }))) {
    throw new AppError("invalid:passkey", REFUSED); // another assertion with this counter won the race
  }
  await finishSignIn(user, challenge.userId ? "password+passkey" : "passkey", ip);
}
