import "server-only";
import { randomBytes } from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";
import QRCode from "qrcode";
import {
  advanceTotpStep,
  confirmTotp,
  deleteRecoveryCodes,
  deleteTotp,
  findTotp,
  replaceRecoveryCodes,
  upsertPendingTotp,
  spendRecoveryCode,
} from "@/db/queries/account-security";
import type { Executor } from "@/db/client";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { publicBaseUrl } from "../env";
import { AppError } from "../errors";
import { openSecret, sealSecret } from "../secrets";
import { sha256 } from "./tokens";

// Authenticator-app codes (RFC 6238 TOTP, through otplib: 6 digits, 30 s, SHA-1, what every authenticator app
// reads from an otpauth:// QR code) and the ten one-time recovery codes (docs/accounts.md §1).

const ISSUER = "Partner portal";
/** One step either side: a phone clock a little off, or a code typed as it changed, still works. */
const EPOCH_TOLERANCE_SECONDS = 30;
export const RECOVERY_CODE_COUNT = 10;

/** The AAD of a user's sealed TOTP secret (also used by `npm run keys:rewrap`). */
export const totpSecretAad = (userId: string) => `user_totp:${userId}:secret`;
const aad = totpSecretAad;

/** A recovery code: 10 characters in two groups (xxxxx-xxxxx) from 31 letters and digits without look-alikes: ~49 bits. */
export function newRecoveryCode(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"; // byte % 31: a slight bias toward the first 8 characters, well under a bit over the 10
  const chars = Array.from(randomBytes(10), (b) => alphabet[b % alphabet.length]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** The form a recovery code is compared in: lower case, no spaces or dash, so "ABCDE FGHIJ" matches. */
export function normaliseRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, "");
}

function recoveryHash(userId: string, code: string): string {
  return sha256(`${userId}:${normaliseRecoveryCode(code)}`);
}

export function looksLikeTotpCode(input: string): boolean {
  return /^\d{6}$/.test(input.replace(/\s/g, ""));
}

export type TotpEnrolment = { secret: string; uri: string; qrSvg: string };

/** A fresh secret, stored unconfirmed (it counts for nothing until a code typed from it is accepted). */
export async function startTotpEnrolment(user: Actor): Promise<TotpEnrolment> {
  const db = await getDb();
  const secret = generateSecret();
  if (!(await upsertPendingTotp({ db, userId: user.id, secretEnc: sealSecret(secret, aad(user.id)) }))) {
    throw new AppError("conflict:totp_enrolled", "An authenticator app is already set up. Remove it first to set up another.");
  }
  const uri = generateURI({ issuer: `${ISSUER} (${new URL(publicBaseUrl()).host})`, label: user.email, secret });
  const qrSvg = await QRCode.toString(uri, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  return { secret, uri, qrSvg };
}

async function checkCode(secret: string, code: string, lastTimeStep: number | null): Promise<number | undefined> {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return undefined;
  const result = await verify({
    secret,
    token,
    epochTolerance: EPOCH_TOLERANCE_SECONDS,
    ...(lastTimeStep != null ? { afterTimeStep: lastTimeStep } : {}),
  });
  return result.valid && "timeStep" in result ? result.timeStep : undefined;
}

/**
 * Confirms a pending enrolment with a code from the app; answers the ten recovery codes, shown once and stored
 * only as hashes. Any earlier recovery codes are replaced.
 */
export async function confirmTotpEnrolment(user: Actor, code: string, ip: string): Promise<string[]> {
  const db = await getDb();
  const row = await findTotp({ db, userId: user.id });
  if (!row || row.confirmedAt) throw new AppError("conflict:totp_not_pending", "Start the set-up again: no authenticator app is waiting to be confirmed.");
  const step = await checkCode(openSecret(row.secretEnc, aad(user.id)), code, null);
  if (step === undefined) {
    throw new AppError("invalid:totp_code", "That code is not correct. Type the 6 digits the app shows now.", { fieldErrors: { code: ["Not correct."] } });
  }
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.transaction(async (tx) => {
    if (!(await confirmTotp({ db: tx, userId: user.id, timeStep: step }))) throw new AppError("conflict:totp_not_pending", "This set-up was already confirmed.");
    await replaceRecoveryCodes({ db: tx, userId: user.id, hashes: codes.map((c) => recoveryHash(user.id, c)) });
    await audit(tx, { actor: user, action: "two_factor.totp_enrolled", targetType: "user", targetId: user.id, ip });
  });
  return codes;
}

export type SecondFactorCheck = { ok: true; method: "totp" | "recovery_code"; recoveryCodesLeft?: number } | { ok: false };

/**
 * Checks a code typed at the second step: six digits against the confirmed TOTP secret (each time step accepted
 * once), anything else as a recovery code (each accepted once). Runs in `tx`, which also carries the audit entry
 * of a used recovery code. The caller throttles (docs/accounts.md §1).
 */
export async function checkSecondFactorCode(tx: Executor, user: Actor, input: string, ip: string): Promise<SecondFactorCheck> {
  const code = input.trim();
  if (looksLikeTotpCode(code)) {
    const row = await findTotp({ db: tx, userId: user.id });
    if (!row?.confirmedAt) return { ok: false };
    const step = await checkCode(openSecret(row.secretEnc, aad(user.id)), code, row.lastTimeStep);
    if (step === undefined || !(await advanceTotpStep({ db: tx, userId: user.id, timeStep: step }))) return { ok: false };
    return { ok: true, method: "totp" };
  }
  if (normaliseRecoveryCode(code).length !== 10) return { ok: false };
  if (!(await spendRecoveryCode({ db: tx, userId: user.id, codeHash: recoveryHash(user.id, code) }))) return { ok: false };
  await audit(tx, { actor: user, action: "two_factor.recovery_code_used", targetType: "user", targetId: user.id, ip });
  return { ok: true, method: "recovery_code" };
}

/** Removes the authenticator app and the recovery codes; asks for a current code or a recovery code first. */
export async function removeTotp(user: Actor, code: string, ip: string): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    const row = await findTotp({ db: tx, userId: user.id });
    if (!row?.confirmedAt) throw new AppError("not_found:totp", "No authenticator app is set up.");
    const check = await checkSecondFactorCode(tx, user, code, ip);
    if (!check.ok) {
      throw new AppError("invalid:totp_code", "That code is not correct. Type a current code from the app or an unused recovery code.", { fieldErrors: { code: ["Not correct."] } });
    }
    await deleteTotp({ db: tx, userId: user.id });
    await deleteRecoveryCodes({ db: tx, userId: user.id });
    await audit(tx, { actor: user, action: "two_factor.totp_removed", targetType: "user", targetId: user.id, ip });
  });
}

/** New recovery codes (the old ones stop working), after a current code from the app. */
export async function regenerateRecoveryCodes(user: Actor, code: string, ip: string): Promise<string[]> {
  const db = await getDb();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.transaction(async (tx) => {
    const row = await findTotp({ db: tx, userId: user.id });
    if (!row?.confirmedAt) throw new AppError("not_found:totp", "Set up an authenticator app first.");
    const check = await checkSecondFactorCode(tx, user, code, ip);
    if (!check.ok || check.method !== "totp") {
      throw new AppError("invalid:totp_code", "That code is not correct. Type the 6 digits the app shows now.", { fieldErrors: { code: ["Not correct."] } });
    }
    await replaceRecoveryCodes({ db: tx, userId: user.id, hashes: codes.map((c) => recoveryHash(user.id, c)) });
    await audit(tx, { actor: user, action: "two_factor.recovery_codes_regenerated", targetType: "user", targetId: user.id, ip });
  });
  return codes;
}
