import "server-only";
import { hash, verify } from "@node-rs/argon2";

// OWASP minimum for argon2id (docs/security.md R23): 19 MiB, 2 iterations, 1 lane.
const policy = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, policy);
}

// Unknown emails are compared against this so they cost the same time as a wrong password (docs/security.md R24).
let dummyHash: Promise<string> | undefined;

/** Verifies against a stored hash, or against a dummy hash when there is none, and never throws. */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  dummyHash ??= hashPassword("not-a-real-password-only-for-timing");
  const target = stored ?? (await dummyHash);
  try {
    const ok = await verify(target, password);
    return ok && stored != null;
  } catch {
    return false;
  }
}

/** True when a stored hash is weaker than the policy (older parameters or another algorithm). */
export function needsRehash(stored: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
  if (!m) return true;
  return Number(m[1]) < policy.memoryCost || Number(m[2]) < policy.timeCost;
}
