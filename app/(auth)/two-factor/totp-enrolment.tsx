"use client";

import { useActionState } from "react";
import { Field } from "@/app/_components/field";
import { Alert, buttonClass, secondaryButtonClass } from "@/app/_components/ui";
import { confirmTotpAction, startTotpAction } from "./actions";

/** The ten recovery codes, shown once: the portal keeps only their hashes. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-700">
        Save these recovery codes somewhere safe. Each signs you in once if you lose your device. They are shown only now.
      </p>
      <ul aria-label="Recovery codes" className="grid grid-cols-2 gap-1 rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-sm">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
    </div>
  );
}

/** Set up an authenticator app: a QR code (and the key to type), confirmed with a code before it counts. */
export function TotpEnrolment({ then }: { then?: string }) {
  const [started, start, starting] = useActionState(startTotpAction, undefined);
  const [confirmed, confirm, confirming] = useActionState(confirmTotpAction, undefined);
  if (confirmed?.ok && confirmed.data) {
    return (
      <div className="space-y-4">
        <Alert tone="success">{confirmed.message}</Alert>
        <RecoveryCodes codes={confirmed.data.recoveryCodes} />
        {then ? (
          <a href={then} className={buttonClass}>
            I saved them: continue
          </a>
        ) : null}
      </div>
    );
  }
  if (!started?.ok || !started.data) {
    return (
      <form action={start} className="space-y-2">
        {started?.message ? <Alert>{started.message}</Alert> : null}
        <button type="submit" className={secondaryButtonClass} disabled={starting}>
          Set up an authenticator app
        </button>
      </form>
    );
  }
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-700">Scan this QR code with your authenticator app (Google Authenticator, 1Password, Authy, …).</p>
      {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL made on the server, nothing to optimise */}
      <img src={started.data.qrDataUrl} alt="QR code for the authenticator app" width={180} height={180} className="rounded border border-slate-200" />
      <p className="text-sm text-slate-700">
        Or type this key: <code data-testid="totp-secret" className="break-all rounded bg-slate-100 px-1 font-mono">{started.data.secret}</code>
      </p>
      <form action={confirm} className="space-y-3" noValidate>
        {confirmed?.message && !confirmed.ok ? <Alert>{confirmed.message}</Alert> : null}
        <Field label="Code from the app" name="code" autoComplete="one-time-code" inputMode="numeric" required errors={confirmed?.fieldErrors?.code} />
        <button type="submit" className={buttonClass} disabled={confirming}>
          {confirming ? "Checking…" : "Turn on two-factor sign-in"}
        </button>
      </form>
    </div>
  );
}
