"use client";

import Script from "next/script";
import { useCallback, useEffect, useRef, useState } from "react";
import type { Locale } from "@/lib/i18n/locales";
import { sendEmbeddedSignupEvent, startSession, type EsMessage, type StartedSession } from "./onboarding-api";

// Partner-hosted Embedded Signup (docs/hub-contract.md §7): a session first (same authorisation as every start, docs/security.md R10), then
// Meta's SDK (or the sandbox's stand-in) with this request's nonce, FB.login on the click, and the
// WA_EMBEDDED_SIGNUP session message forwarded to the portal. Only string messages from the SDK's own origins
// count: Meta sends JSON strings, and the sandbox's internal object messages are not ours.

export type EsStrings = {
  action: string;
  loading: string;
  working: string;
  /** "You stopped at …" for each step Meta names (`unknown` for any other), finished on the server. */
  cancelledAt: Record<string, string>;
  /** Facebook's own message goes between these two (the catalogue's `{message}`). */
  error: [before: string, after: string];
  errorUnknown: string;
  again: string;
  failed: string;
  errors: Record<string, string>;
};

type FbLoginOptions = {
  config_id: string;
  response_type: "code";
  override_default_response_type: boolean;
  extras: { setup: Record<string, never>; sessionInfoVersion: string };
};
type Fb = { init: (options: { appId: string; version: string; xfbml?: boolean }) => void; login: (cb: (response: unknown) => void, options: FbLoginOptions) => void };
type FbWindow = Window & { FB?: Fb; fbAsyncInit?: () => void };

type Phase = { kind: "starting" } | { kind: "ready" } | { kind: "waiting" } | { kind: "working" } | { kind: "stopped"; message: string } | { kind: "refused"; message: string };

function parseEsMessage(data: unknown): EsMessage | null {
  if (typeof data !== "string" || data.length > 10_000) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const m = parsed as Record<string, unknown>;
  if (m.type !== "WA_EMBEDDED_SIGNUP" || typeof m.event !== "string") return null;
  const data_ = typeof m.data === "object" && m.data !== null && !Array.isArray(m.data) ? (m.data as Record<string, unknown>) : {};
  const version = typeof m.version === "number" || typeof m.version === "string" ? m.version : undefined;
  return { type: "WA_EMBEDDED_SIGNUP", event: m.event, ...(version !== undefined ? { version } : {}), data: data_ };
}

export function EmbeddedSignupLauncher({
  hubId,
  inviteToken,
  lang,
  nonce,
  t,
  buttonClass,
}: {
  hubId?: string;
  inviteToken?: string;
  lang: Locale;
  nonce: string | undefined;
  t: EsStrings;
  buttonClass: string;
}) {
  const [session, setSession] = useState<StartedSession | null>(null);
  const [sdkReady, setSdkReady] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: "starting" });
  const started = useRef(false);
  const es = session?.embeddedSignup ?? null;

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    // The invite token is a credential: keep it out of the address that Meta's script can read (docs/security.md R16).
    if (inviteToken) {
      const url = new URL(window.location.href);
      url.searchParams.delete("invite");
      window.history.replaceState(null, "", url.pathname + url.search);
    }
    void startSession({ method: "embedded_signup", hubId, inviteToken, lang }, { errors: t.errors, fallback: t.failed }).then((result) => {
      if (!result.ok) return setPhase({ kind: "refused", message: result.message });
      if (!result.session.embeddedSignup) return setPhase({ kind: "refused", message: t.failed });
      setSession(result.session);
    });
  }, [hubId, inviteToken, lang, t.errors, t.failed]);

  useEffect(() => {
    if (!es) return;
    const w = window as FbWindow;
    const init = () => {
      w.FB?.init({ appId: es.appId, version: "v21.0", xfbml: false });
      setSdkReady(true);
      setPhase((p) => (p.kind === "starting" ? { kind: "ready" } : p));
    };
    if (w.FB) init();
    else w.fbAsyncInit = init;
  }, [es]);

  const handle = useCallback(
    async (message: EsMessage) => {
      if (!session) return;
      if (message.event === "CANCEL") {
        const step = typeof message.data?.current_step === "string" ? message.data.current_step : undefined;
        const at = step && Object.hasOwn(t.cancelledAt, step) ? t.cancelledAt[step] : undefined;
        setPhase({ kind: "stopped", message: at ?? t.cancelledAt.unknown ?? t.errorUnknown });
      } else if (message.event === "ERROR") {
        const text = typeof message.data?.error_message === "string" ? message.data.error_message.slice(0, 300) : "";
        setPhase({ kind: "stopped", message: text ? `${t.error[0]}${text.endsWith(".") ? text : `${text}.`}${t.error[1]}` : t.errorUnknown });
      } else {
        setPhase({ kind: "working" });
      }
      const result = await sendEmbeddedSignupEvent(session.sessionId, message, { errors: t.errors, fallback: t.failed });
      if (!result.ok) return setPhase({ kind: "stopped", message: result.message });
      if (result.statusUrl) window.location.assign(result.statusUrl);
    },
    [session, t],
  );

  useEffect(() => {
    if (!es) return;
    const onMessage = (event: MessageEvent) => {
      if (!es.messageOrigins.includes(event.origin)) return;
      const message = parseEsMessage(event.data);
      if (message) void handle(message);
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, [es, handle]);

  const launch = () => {
    const fb = (window as FbWindow).FB;
    if (!fb || !es) return;
    setPhase({ kind: "waiting" });
    // Synchronously in the click: FB.login opens Meta's window.
    fb.login(
      (response) => {
        const r = response as { authResponse?: unknown } | null;
        // No login (closed or cancelled): the session message, if any, already said why.
        if (!r?.authResponse) setPhase((p) => (p.kind === "waiting" ? { kind: "ready" } : p));
      },
      { config_id: es.configId, response_type: "code", override_default_response_type: true, extras: { setup: {}, sessionInfoVersion: es.sessionInfoVersion } },
    );
  };

  if (phase.kind === "refused") {
    return (
      <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
        {phase.message}
      </p>
    );
  }
  const canLaunch = sdkReady && (phase.kind === "ready" || phase.kind === "stopped" || phase.kind === "waiting");
  return (
    <div className="space-y-3">
      {es ? <Script src={es.sdkUrl} nonce={nonce} strategy="afterInteractive" /> : null}
      <button type="button" className={buttonClass} onClick={launch} disabled={!canLaunch}>
        {phase.kind === "stopped" ? t.again : t.action}
      </button>
      <div role="status" aria-live="polite" className="min-h-6 text-sm text-slate-700">
        {!sdkReady && phase.kind === "starting" ? t.loading : null}
        {phase.kind === "working" ? t.working : null}
      </div>
      {phase.kind === "stopped" ? (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          {phase.message}
        </p>
      ) : null}
    </div>
  );
}
