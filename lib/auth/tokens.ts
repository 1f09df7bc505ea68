import { createHash, randomBytes } from "node:crypto";

// Random tokens of the account flows (second-factor step, WebAuthn ceremonies, password-reset links, the browser
// marker): 32 random bytes, base64url; only their SHA-256 is stored, so a database read gives nobody a usable link.

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function sha256(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}
