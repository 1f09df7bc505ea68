"use client";

import {
  startAuthentication,
  startRegistration,
  WebAuthnError,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert, buttonClass, inputClass, secondaryButtonClass } from "./ui";

// The browser half of passkeys (@simplewebauthn/browser): ask the portal for options, let the browser and the
// authenticator do the ceremony, post the answer back. The server checks everything (lib/auth/passkeys.ts).

async function postJson(url: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
    credentials: "same-origin",
  });
  const data: unknown = await res.json().catch(() => ({}));
  if (!res.ok) {
    const detail = typeof data === "object" && data && "detail" in data && typeof data.detail === "string" ? data.detail : "The request failed.";
    throw new Error(detail);
  }
  return data;
}

function messageOf(error: unknown): string {
  // The browser's own refusals (cancelled, timed out, no authenticator) say what happened in its words.
  if (error instanceof WebAuthnError && error.code === "ERROR_CEREMONY_ABORTED") return "The passkey request was cancelled.";
  if (error instanceof Error && error.name === "NotAllowedError") return "The passkey request was cancelled or timed out.";
  return error instanceof Error ? error.message : "The passkey did not work.";
}

/** "Use a passkey": password-less sign-in, or the second step after a password. (Its name does not contain "Sign in", the sign-in button's.) */
export function PasskeySignInButton({ callbackUrl, label = "Use a passkey" }: { callbackUrl: string; label?: string }) {
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  async function run() {
    setError(undefined);
    setPending(true);
    try {
      const optionsJSON = (await postJson("/api/passkeys/sign-in/options")) as PublicKeyCredentialRequestOptionsJSON;
      const response = await startAuthentication({ optionsJSON });
      await postJson("/api/passkeys/sign-in", { response });
      window.location.assign(callbackUrl);
    } catch (e) {
      setError(messageOf(e));
      setPending(false);
    }
  }
  return (
    <div className="space-y-2">
      {error ? <Alert>{error}</Alert> : null}
      <button type="button" className={`${secondaryButtonClass} w-full py-2`} onClick={() => void run()} disabled={pending}>
        {pending ? "Waiting for the passkey…" : label}
      </button>
    </div>
  );
}

/** Adds a passkey to the signed-in account; `then` is where to go afterwards (else the page refreshes). */
export function AddPasskeyForm({ then }: { then?: string }) {
  const router = useRouter();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [pending, setPending] = useState(false);
  const [name, setName] = useState("");
  async function run(event: React.FormEvent) {
    event.preventDefault();
    setError(undefined);
    setDone(undefined);
    if (!name.trim()) return setError("Name the passkey, e.g. \"Work laptop\".");
    setPending(true);
    try {
      const optionsJSON = (await postJson("/api/passkeys/register/options")) as PublicKeyCredentialCreationOptionsJSON;
      const response = await startRegistration({ optionsJSON });
      await postJson("/api/passkeys/register", { name, response });
      setDone(`Passkey "${name.trim()}" added.`);
      setName("");
      if (then) window.location.assign(then);
      else router.refresh();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setPending(false);
    }
  }
  return (
    <form onSubmit={(e) => void run(e)} className="space-y-2">
      {error ? <Alert>{error}</Alert> : null}
      {done ? <Alert tone="success">{done}</Alert> : null}
      <label htmlFor="passkey-name" className="block text-sm font-medium text-slate-800">
        Passkey name
      </label>
      <input id="passkey-name" className={inputClass} value={name} onChange={(e) => setName(e.target.value)} maxLength={60} placeholder="Work laptop" />
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? "Waiting for the passkey…" : "Add a passkey"}
      </button>
    </form>
  );
}
