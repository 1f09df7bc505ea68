"use client";

import { useActionState } from "react";
import { Alert, buttonClass, secondaryButtonClass } from "@/app/_components/ui";
import type { TwoFactorPolicy } from "@/lib/auth/policy";
import { endUserSessionsAction, resetTwoFactorAction, setPolicyAction } from "./security-actions";
import { useLatestAnswer } from "./use-latest-answer";

const LABELS: Record<TwoFactorPolicy, string> = {
  off: "Optional for everyone",
  admins: "Required for admins",
  everyone: "Required for everyone",
};

export function TwoFactorPolicyForm({ stored, floor }: { stored: TwoFactorPolicy; floor: TwoFactorPolicy }) {
  const [saved, action, pending] = useActionState(setPolicyAction, undefined);
  // "Saved" is about this submit; after any other form on the page is submitted it goes (as a row's answer does).
  const { root, latest, started } = useLatestAnswer<"policy">();
  const state = latest === "dropped" ? undefined : saved;
  const order: TwoFactorPolicy[] = ["off", "admins", "everyone"];
  return (
    <div ref={root}>
      <form action={action} onSubmit={started("policy")} className="space-y-3">
        {state?.message ? state.ok ? <p role="status" className="text-sm text-green-800">{state.message}</p> : <Alert>{state.message}</Alert> : null}
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium text-slate-800">Two-factor sign-in</legend>
          {order.map((p) => (
            <label key={p} className="flex items-center gap-2 text-sm">
              <input type="radio" name="policy" value={p} defaultChecked={p === stored} disabled={order.indexOf(p) < order.indexOf(floor)} />
              {LABELS[p]}
            </label>
          ))}
        </fieldset>
        {floor !== "off" ? <p className="text-xs text-slate-500">The server sets at least “{LABELS[floor]}” (TWO_FACTOR_POLICY).</p> : null}
        <p className="text-xs text-slate-500">A user it covers without a second factor is sent to set one up right after signing in, and can do nothing else until done.</p>
        <button type="submit" className={buttonClass} disabled={pending}>
          Save policy
        </button>
      </form>
    </div>
  );
}

export function UserSecurityActions({ user, twoFactor, isSelf }: { user: { id: string; email: string }; twoFactor: string; isSelf: boolean }) {
  const [ended, end, ending] = useActionState(endUserSessionsAction, undefined);
  const [reset, resetAction, resetting] = useActionState(resetTwoFactorAction, undefined);
  // The answer of this cell's latest action, until another form on the page is submitted (as in user-row-actions.tsx).
  const { root, latest, started } = useLatestAnswer<"end" | "reset">();
  const state = latest === "dropped" ? undefined : latest === "end" ? ended : latest === "reset" ? reset : (reset?.message ? reset : ended);
  return (
    <div ref={root} className="space-y-2">
      <p className="text-slate-600">{twoFactor}</p>
      {isSelf ? null : (
        <div className="flex flex-wrap gap-2">
          <form action={end} onSubmit={started("end")}>
            <input type="hidden" name="userId" value={user.id} />
            <input type="hidden" name="email" value={user.email} />
            <button type="submit" className={secondaryButtonClass} disabled={ending} aria-label={`End all sessions of ${user.email}`}>
              End all sessions
            </button>
          </form>
          <details>
            <summary className={`${secondaryButtonClass} cursor-pointer list-none [&::-webkit-details-marker]:hidden`} aria-label={`Reset two-factor of ${user.email}`}>
              Reset two-factor
            </summary>
            <form action={resetAction} onSubmit={started("reset")} className="mt-2 space-y-2 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm">
              <p>Remove every second factor of {user.email} (authenticator app, recovery codes, passkeys) and end their sessions? For a lost device.</p>
              <input type="hidden" name="userId" value={user.id} />
              <input type="hidden" name="email" value={user.email} />
              <input type="hidden" name="confirm" value="yes" />
              <button type="submit" className={secondaryButtonClass} disabled={resetting}>
                Yes, reset two-factor of {user.email}
              </button>
            </form>
          </details>
        </div>
      )}
      {state?.message ? state.ok ? <p role="status" className="text-green-800">{state.message}</p> : <Alert>{state.message}</Alert> : null}
    </div>
  );
}
