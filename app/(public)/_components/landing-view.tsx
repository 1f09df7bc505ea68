import type { ReactNode } from "react";
import { fill, type Dictionary } from "@/lib/onboarding/i18n";
import type { Lang, Prefill } from "@/lib/onboarding/prefill";
import { ConnectButtonTrigger } from "./connect-button-trigger";
import { PopupTrigger } from "./popup-trigger";
import { linkClass, primaryButtonClass } from "./public-shell";

// The body of the landing page and of an invite link: what happens, what the client needs, and the one action.

export type Trigger = "connect_button" | "popup";

export type StartContext = { hubId?: string; inviteToken?: string; returnPath: "/" | `/join/${string}` };

export function ConnectAction({ trigger, start, lang, t, label }: { trigger: Trigger; start: StartContext; lang: Lang; t: Dictionary; label?: string }) {
  const anonymous = !start.inviteToken;
  if (trigger === "connect_button") {
    return (
      <ConnectButtonTrigger
        start={start}
        lang={lang}
        buttonClass={primaryButtonClass}
        reportLanding={anonymous}
        t={{
          action: label ?? t.connect.action,
          opening: t.connect.opening,
          popupOpen: t.connect.popupOpen,
          popupFocused: t.connect.popupFocused,
          blocked: t.connect.blocked,
          blockedLink: t.connect.blockedLink,
          failed: t.connect.failed,
        }}
      />
    );
  }
  const { returnPath: _unused, ...popupStart } = start;
  return (
    <PopupTrigger
      start={popupStart}
      lang={lang}
      label={label ?? t.connect.action}
      buttonClass={primaryButtonClass}
      reportLandingWithSession={anonymous}
      t={{
        action: t.connect.action,
        opening: t.connect.opening,
        popupOpen: t.connect.popupOpen,
        popupFocused: t.connect.popupFocused,
        blocked: t.connect.blocked,
        blockedLink: t.connect.blockedLink,
        finishing: t.connect.finishing,
        failed: t.connect.failed,
      }}
    />
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 className="text-lg font-semibold text-slate-900">{title}</h2>
      <div className="mt-3 text-slate-700">{children}</div>
    </section>
  );
}

export function Prepared({ prefill, t }: { prefill: Prefill; t: Dictionary }) {
  const rows = [
    [t.join.email, prefill.email],
    [t.join.name, prefill.name],
    [t.join.number, prefill.number],
  ].filter((row): row is [string, string] => Boolean(row[1]));
  if (rows.length === 0) return null;
  return (
    <Section title={t.join.preparedTitle}>
      <p className="text-sm">{t.join.preparedIntro}</p>
      <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="font-medium text-slate-600">{label}</dt>
            <dd className="break-all text-slate-900">{value}</dd>
          </div>
        ))}
      </dl>
    </Section>
  );
}

export function LandingView({
  brandName,
  t,
  action,
  prepared,
  permission,
  esHref,
}: {
  brandName: string;
  t: Dictionary;
  /** The one action; null when this page may not start (open signup off): the message takes its place. */
  action: ReactNode | null;
  prepared?: ReactNode;
  permission?: boolean;
  esHref?: string | null;
}) {
  if (permission) {
    return (
      <div className="space-y-6">
        <h1 className="text-3xl font-semibold tracking-tight text-slate-900">{fill(t.join.permissionTitle, { brand: brandName })}</h1>
        <p className="text-lg text-slate-700">{fill(t.join.permissionIntro, { brand: brandName })}</p>
        {prepared}
        <div>{action}</div>
      </div>
    );
  }
  return (
    <div className="space-y-8">
      <div className="space-y-3">
        <p className="text-sm font-semibold uppercase tracking-wide text-slate-600">{t.landing.eyebrow}</p>
        <h1 className="text-3xl font-semibold tracking-tight text-slate-900">{t.landing.title}</h1>
        <p className="text-lg text-slate-700">{fill(t.landing.intro, { brand: brandName })}</p>
      </div>
      {prepared}
      {action ? (
        <div className="space-y-3">
          {action}
          {esHref ? (
            <p className="text-sm">
              <a href={esHref} className={linkClass}>
                {t.landing.esLink}
              </a>
            </p>
          ) : null}
        </div>
      ) : (
        <div role="status" className="rounded-xl border-2 border-slate-900 bg-white p-6">
          <h2 className="text-lg font-semibold text-slate-900">{t.landing.inviteOnlyTitle}</h2>
          <p className="mt-2 text-slate-700">{t.landing.inviteOnly}</p>
        </div>
      )}
      <div className="grid gap-6 md:grid-cols-2">
        <Section title={t.landing.needsTitle}>
          <ul className="list-disc space-y-2 pl-5">
            {t.landing.needs.map((need) => (
              <li key={need}>{need}</li>
            ))}
          </ul>
        </Section>
        <Section title={t.landing.stepsTitle}>
          <ol className="list-decimal space-y-2 pl-5">
            {(action ? t.landing.steps : [fill(t.landing.inviteFirstStep, { brand: brandName }), ...t.landing.steps.slice(1)]).map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </Section>
      </div>
    </div>
  );
}
