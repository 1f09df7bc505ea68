"use client";

import { useActionState, useState } from "react";
import { Alert, buttonClass, secondaryButtonClass } from "@/app/_components/ui";
import { regenerateKeyAction, retryKeyAction } from "./actions";

export type KeyJob = {
  status: "queued" | "running" | "dead";
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  /** UTC, formatted on the server (lib/dates.ts formatMinute). */
  runAt: string;
};

type Props = {
  channelId: string;
  status: string;
  last4: string | null;
  fingerprint: string | null;
  revealed: boolean;
  isAdmin: boolean;
  isOperator: boolean;
  /** The number's cancellation was processed: no key is usable or made any more (docs/channel-lifecycle.md §1). */
  cancelled: boolean;
  /** When a requested cancellation takes effect, UTC, formatted on the server. */
  terminatesAt: string | null;
  revokedReason: string | null;
  job: KeyJob | null;
};

/** What the key is doing, in words: a failed attempt is never "being generated" (docs/channel-lifecycle.md §4). */
function keyState({ status, last4, fingerprint, cancelled, revokedReason, job }: Props): { text: React.ReactNode; failing: boolean } {
  if (cancelled || revokedReason === "channel_cancelled") {
    return { text: "The number was cancelled: its key was revoked and no longer works. No new key can be made for it.", failing: false };
  }
  if (status === "active") {
    return {
      text: (
        <>Stored, ending in <span className="font-mono">••••{last4}</span>{fingerprint ? <> (fingerprint <span className="font-mono">{fingerprint}</span>)</> : null}.</>
      ),
      failing: false,
    };
  }
  if (job && job.lastError && job.attempts > 0) {
    const answer = <> The hub answered: <span data-testid="key-error" className="font-mono text-xs">{job.lastError}</span></>;
    if (job.status === "dead") {
      return { text: <>Key generation failed {job.attempts} times and stopped.{answer}</>, failing: true };
    }
    if (job.status === "running") return { text: <>Key generation failed {job.attempts} of {job.maxAttempts} attempts; trying again now.{answer}</>, failing: true };
    return {
      text: (
        <>
          Key generation failed ({job.attempts} of {job.maxAttempts} attempts). Next try at <span data-testid="key-next-try">{job.runAt}</span> UTC.{answer}
        </>
      ),
      failing: true,
    };
  }
  if (status === "pending" || job) return { text: "Being generated.", failing: false };
  if (status === "none") return { text: "No key yet: it is generated once the number runs and the partner has permission.", failing: false };
  return { text: `Last key: ${status}.`, failing: false };
}

export function KeyPanel(props: Props) {
  const { channelId, status, revealed, isAdmin, isOperator, cancelled, terminatesAt, job } = props;
  const [shown, setShown] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The reveal can be spent once only: the first click asks, the second one shows.
  const [confirming, setConfirming] = useState(false);
  const [revealing, setRevealing] = useState(false);
  const [regen, regenAction, regenerating] = useActionState(regenerateKeyAction, undefined);
  const [retry, retryAction, retrying] = useActionState(retryKeyAction, undefined);
  const state = keyState(props);
  const active = status === "active" && !cancelled;

  async function reveal() {
    setError(null);
    setRevealing(true);
    try {
      const res = await fetch(`/api/channels/${channelId}/api-key`, { method: "POST", cache: "no-store" });
      const body = (await res.json().catch(() => ({}))) as { apiKey?: string; detail?: string };
      if (res.ok && body.apiKey) setShown(body.apiKey);
      else setError(body.detail ?? "The key could not be shown.");
    } catch {
      setError("The portal could not be reached. Check your connection and try again.");
    } finally {
      setRevealing(false);
      setConfirming(false);
    }
  }

  return (
    <div className="space-y-3 text-sm">
      {state.failing ? <Alert tone="error">{state.text}</Alert> : <p data-testid="key-state">{state.text}</p>}
      {active && terminatesAt ? <p className="text-amber-800">Cancellation requested: this key stops working when the number is cancelled ({terminatesAt} UTC).</p> : null}
      {shown ? (
        <div role="status" className="rounded-md border border-amber-200 bg-amber-50 p-3">
          <p className="font-medium text-amber-900">Copy it now: it is shown this one time only.</p>
          <code data-testid="revealed-key" className="mt-1 block break-all rounded bg-white px-2 py-1 font-mono text-xs">{shown}</code>
          <button type="button" className={`${secondaryButtonClass} mt-2`} onClick={() => void navigator.clipboard?.writeText(shown)}>Copy</button>
        </div>
      ) : null}
      {error ? <Alert>{error}</Alert> : null}
      {isAdmin && active && !revealed && !shown && !confirming ? (
        <button type="button" className={buttonClass} onClick={() => setConfirming(true)}>Show key once</button>
      ) : null}
      {isAdmin && active && !revealed && !shown && confirming ? (
        <div role="group" aria-label="Confirm showing the key" className="space-y-2 rounded-md border border-amber-200 bg-amber-50 p-3">
          <p className="text-amber-900">The key is shown one time only. Afterwards it can only be regenerated, which stops the current key. Have a safe place ready to paste it.</p>
          <div className="flex gap-2">
            <button type="button" className={buttonClass} disabled={revealing} onClick={() => void reveal()}>{revealing ? "Showing…" : "Show the key now"}</button>
            <button type="button" className={secondaryButtonClass} disabled={revealing} onClick={() => setConfirming(false)}>Cancel</button>
          </div>
        </div>
      ) : null}
      {isAdmin && active && revealed && !shown ? <p className="text-slate-600">Already shown once. Regenerate it if it was lost.</p> : null}
      {/* Regenerating revokes the current key: offered only when there is one (a missing key is retried instead). */}
      {isAdmin && active ? (
        <form action={regenAction} className="space-y-2 rounded-md border border-red-200 p-3">
          <input type="hidden" name="channelId" value={channelId} />
          <p className="font-medium text-red-800">Regenerate: 360dialog revokes the current key at once; every system using it stops sending.</p>
          <label className="flex items-center gap-2">
            <input type="checkbox" name="confirm" /> I understand the current key stops working
          </label>
          <button type="submit" className={secondaryButtonClass} disabled={regenerating}>{regenerating ? "Requesting…" : "Regenerate key"}</button>
          {regen?.message ? <Alert tone={regen.ok ? "success" : "error"}>{regen.fieldErrors?.confirm?.[0] ?? regen.message}</Alert> : null}
        </form>
      ) : null}
      {isOperator && !cancelled && !active && (state.failing || status === "none" || status === "failed" || status === "revoked" || (status === "pending" && job?.status !== "running")) ? (
        <form action={retryAction}>
          <input type="hidden" name="channelId" value={channelId} />
          <button type="submit" className={secondaryButtonClass} disabled={retrying}>{state.failing ? "Retry now" : "Retry key generation"}</button>
          {retry?.message ? <div className="mt-2"><Alert tone={retry.ok ? "success" : "error"}>{retry.message}</Alert></div> : null}
        </form>
      ) : null}
    </div>
  );
}
