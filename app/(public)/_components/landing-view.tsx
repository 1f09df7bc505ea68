import type { ReactNode } from "react";
import type { Prefill } from "@/lib/onboarding/prefill";
import type { T } from "./intl-strings";
import { linkClass } from "./public-shell";

// The body of the landing page and of an invite link (light-pages.tsx): what happens, what the client needs, and
// the one action.

/** How long a sign-up takes, as the landing page says it (a plural in each catalogue). */
const SETUP_MINUTES = 10;

/** What staff prepared on an invite (its prefill), as the page shows it. */
export type PreparedFields = { [K in "email" | "name" | "number"]: NonNullable<Prefill[K]> | null };

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 className="text-lg font-semibold text-slate-900">{title}</h2>
      <div className="mt-3 text-slate-700">{children}</div>
    </section>
  );
}

export function Prepared({ prefill, t }: { prefill: PreparedFields; t: T }) {
  const rows = [
    [t("join.email"), prefill.email],
    [t("join.name"), prefill.name],
    [t("join.number"), prefill.number],
  ].filter((row): row is [string, string] => Boolean(row[1]));
  if (rows.length === 0) return null;
  return (
    <Section title={t("join.preparedTitle")}>
      <p className="text-sm">{t("join.preparedIntro")}</p>
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
  t: T;
  /** The one action; null when this page may not start (open signup off): the message takes its place. */
  action: ReactNode | null;
  prepared?: ReactNode;
  permission?: boolean;
  esHref?: string | null;
}) {
  if (permission) {
    return (
      <div className="space-y-6">
        <h1 className="text-3xl font-semibold tracking-tight text-slate-900">{t("join.permissionTitle", { brand: brandName })}</h1>
        <p className="text-lg text-slate-700">{t("join.permissionIntro", { brand: brandName })}</p>
        {prepared}
        <div>{action}</div>
      </div>
    );
  }
  return (
    <div className="space-y-8">
      <div className="space-y-3">
        <p className="text-sm font-semibold uppercase tracking-wide text-slate-600">{t("landing.eyebrow")}</p>
        <h1 className="text-3xl font-semibold tracking-tight text-slate-900">{t("landing.title")}</h1>
        <p className="text-lg text-slate-700">{t("landing.intro", { brand: brandName, minutes: SETUP_MINUTES })}</p>
      </div>
      {prepared}
      {action ? (
        <div className="space-y-3">
          {action}
          {esHref ? (
            <p className="text-sm">
              <a href={esHref} className={linkClass}>
                {t("landing.esLink")}
              </a>
            </p>
          ) : null}
        </div>
      ) : (
        <div role="status" className="rounded-xl border-2 border-slate-900 bg-white p-6">
          <h2 className="text-lg font-semibold text-slate-900">{t("landing.inviteOnlyTitle")}</h2>
          <p className="mt-2 text-slate-700">{t("landing.inviteOnly")}</p>
        </div>
      )}
      <div className="grid gap-6 md:grid-cols-2">
        <Section title={t("landing.needsTitle")}>
          <ul className="list-disc space-y-2 pl-5">
            {[t("landing.needs.phone"), t("landing.needs.facebook"), t("landing.needs.time", { minutes: SETUP_MINUTES })].map((need) => (
              <li key={need}>{need}</li>
            ))}
          </ul>
        </Section>
        <Section title={t("landing.stepsTitle")}>
          <ol className="list-decimal space-y-2 pl-5">
            {[action ? t("landing.steps.click") : t("landing.inviteFirstStep", { brand: brandName }), t("landing.steps.account"), t("landing.steps.number"), t("landing.steps.done")].map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </Section>
      </div>
    </div>
  );
}
