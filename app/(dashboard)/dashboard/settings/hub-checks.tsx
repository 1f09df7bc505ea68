"use client";

import { useActionState } from "react";
import { Alert, secondaryButtonClass } from "@/app/_components/ui";
import { registerHubUrlsAction, testHubAction } from "./actions";
import type { HubCheck } from "@/lib/hub-config/connection";

export function HubChecks({ hubId, hubName }: { hubId: string; hubName: string }) {
  const [test, testAction, testing] = useActionState(testHubAction, undefined);
  const [reg, regAction, registering] = useActionState(registerHubUrlsAction, undefined);
  const latest = reg ?? test;
  return (
    <div className="mt-4 border-t border-slate-100 pt-4">
      <div className="flex flex-wrap gap-2">
        <form action={testAction}>
          <input type="hidden" name="hubId" value={hubId} />
          <button type="submit" className={secondaryButtonClass} disabled={testing} aria-label={`Test connection of ${hubName}`}>
            {testing ? "Testing…" : "Test connection"}
          </button>
        </form>
        <form action={regAction}>
          <input type="hidden" name="hubId" value={hubId} />
          <button type="submit" className={secondaryButtonClass} disabled={registering} aria-label={`Register webhook and redirect URLs of ${hubName}`}>
            {registering ? "Registering…" : "Register webhook and redirect URLs"}
          </button>
        </form>
      </div>
      {latest?.message ? (
        <div className="mt-3 space-y-2">
          <Alert tone={latest.ok ? "success" : "error"}>{latest.message}</Alert>
          {latest.ok && latest.data ? <HubHolds check={latest.data} /> : null}
        </div>
      ) : null}
    </div>
  );
}

function HubHolds({ check }: { check: HubCheck }) {
  const rows: [string, string | undefined, string | undefined][] = [
    ["Partner", check.partner.brandName ? `${check.partner.brandName} (${check.partner.id ?? "?"})` : check.partner.id, undefined],
    ["Webhook URL", check.partner.webhookUrl, check.expected.webhookUrl],
    ["Redirect URL", check.partner.partnerRedirectUrl, check.expected.redirectUrl],
  ];
  return (
    <table className="w-full text-left text-sm" data-testid="hub-holds">
      <caption className="sr-only">What the hub holds</caption>
      <tbody>
        {rows.map(([label, held, expected]) => (
          <tr key={label}>
            <th scope="row" className="w-40 py-1 pr-4 font-medium text-slate-600">{label}</th>
            <td className="break-all py-1">
              {held ?? <span className="text-slate-500">not set</span>}
              {expected && held !== expected ? <span className="ml-2 text-amber-700">(this portal expects {expected})</span> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
