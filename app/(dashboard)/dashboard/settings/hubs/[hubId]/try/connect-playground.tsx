"use client";

import { ConnectButton } from "360dialog-connect-button";
import { useCallback, useEffect, useMemo, useState } from "react";
import { buttonClass } from "@/app/_components/ui";
import { parseRedirectQuery, type RedirectParseResult } from "@/lib/hub/redirect";

type Props = { partnerId: string; env: "local" | "prod"; version: "v1" | "v2"; redirectUrl: string };

export function ConnectPlayground({ partnerId, env, version, redirectUrl }: Props) {
  const [result, setResult] = useState<RedirectParseResult | null>(null);
  // The package's button ignores a click until its own effect has built its core: disabled until then, so a click
  // that comes first (the page not yet hydrated, its script still loading) is not silently lost. This effect runs
  // in the same commit as the package's, after it, so the render that enables the button has the core.
  const [ready, setReady] = useState(false);
  // eslint-disable-next-line react-hooks/set-state-in-effect -- tells that the package's effect (state React cannot see) has run
  useEffect(() => setReady(true), []);
  // Stable props: the package rebuilds its core (and re-reads the URL) whenever they change identity.
  const queryParameters = useMemo(() => ({ redirect_url: redirectUrl }), [redirectUrl]);
  const onCallback = useCallback(() => {
    // The package calls back in the popup too, before handing the query to the opener; only the opener shows it.
    if (window.opener) return;
    setResult(parseRedirectQuery(window.location.search));
    window.history.replaceState(null, "", window.location.pathname);
  }, []);
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-700">
        Partner <strong>{partnerId}</strong>, Connect Button environment <code>{env}</code>, hub {version}.
      </p>
      <ConnectButton
        partnerId={partnerId}
        env={env}
        version={version}
        queryParameters={queryParameters}
        callback={onCallback}
        className={buttonClass}
        label="Connect WhatsApp (test)"
        disabled={!ready}
      />
      {result ? (
        result.ok ? (
          <dl className="grid grid-cols-[10rem_1fr] gap-y-1 text-sm" data-testid="connect-result">
            <dt className="font-medium text-slate-600">Client</dt>
            <dd>{result.value.clientId ?? "none"}</dd>
            <dt className="font-medium text-slate-600">Channels</dt>
            <dd>{result.value.channels.join(", ") || "none"}</dd>
            <dt className="font-medium text-slate-600">Revoked</dt>
            <dd>{result.value.revoked.join(", ") || "none"}</dd>
          </dl>
        ) : (
          <p role="alert" className="text-sm text-red-700">The redirect did not carry a valid result: {result.error.message}</p>
        )
      ) : null}
    </div>
  );
}
