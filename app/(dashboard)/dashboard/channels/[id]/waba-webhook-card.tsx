"use client";

import { useActionState } from "react";
import { Alert, Badge, Card, secondaryButtonClass } from "@/app/_components/ui";
import { setWabaWebhookAction } from "./waba-webhook-actions";

type Props = {
  channelId: string;
  state: "set" | "failed" | null;
  detail: string | null;
  at: string | null;
  hasKey: boolean;
  isOperator: boolean;
};

/**
 * Whether this number's WABA webhook points at the portal: where Meta's template verdicts and account events
 * arrive (docs/waba-webhook.md §2). Set after every key and on reconcile; operators can set it again.
 */
export function WabaWebhookCard({ channelId, state, detail, at, hasKey, isOperator }: Props) {
  const [result, action, pending] = useActionState(setWabaWebhookAction, undefined);
  return (
    <Card title="WABA webhook">
      <div className="space-y-2 text-sm" data-testid="waba-webhook">
        <p className="flex flex-wrap items-center gap-2">
          {state === "set" ? <Badge tone="green">Set</Badge> : state === "failed" ? <Badge tone="red">Failed</Badge> : <Badge tone="slate">Not yet</Badge>}
          {at ? <span className="text-slate-500">{at} UTC</span> : null}
        </p>
        {state === "set" ? (
          <p>
            Meta&apos;s template verdicts and account events for this number&apos;s WABA come to <span className="break-all font-mono text-xs">{detail}</span>.
          </p>
        ) : state === "failed" ? (
          <p>
            360dialog refused to set it: <span className="text-red-700">{detail}</span>. It is tried again on its own; template statuses still arrive by the
            scheduled sync meanwhile.
          </p>
        ) : (
          <p>{hasKey ? "Being set: it is set with the number's API key right after the key is made." : "It is set once the number has its API key."}</p>
        )}
        {isOperator && hasKey ? (
          <form action={action}>
            <input type="hidden" name="channelId" value={channelId} />
            <button type="submit" className={secondaryButtonClass} disabled={pending}>
              {pending ? "Queuing…" : "Set again"}
            </button>
          </form>
        ) : null}
        {result?.message ? <Alert tone={result.ok ? "success" : "error"}>{result.message}</Alert> : null}
      </div>
    </Card>
  );
}
