import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { formatLongDayIn, formatMinuteIn } from "@/lib/dates";
import { getOnboardingStatus } from "@/lib/onboarding/status-page";
import { langHrefs, requestLocale, translations } from "../../../_components/page-intl";
import { PublicShell } from "../../../_components/public-shell";
import { StatusLive } from "../../../_components/status-live";

type Query = Record<string, string | string[] | undefined>;

export async function generateMetadata({ searchParams }: { searchParams: Promise<Query> }): Promise<Metadata> {
  const t = await translations(await requestLocale({ query: (await searchParams).lang }));
  return { title: t("titles.status") };
}

export default async function StatusPage({ params, searchParams }: { params: Promise<{ token: string }>; searchParams: Promise<Query> }) {
  const [{ token }, query] = await Promise.all([params, searchParams]);
  const status = await getOnboardingStatus(token);
  if (!status) notFound();
  // The language the sign-up was made in comes before the browser's (docs/i18n.md §2): it is the one the client chose then.
  const lang = await requestLocale({ query: query.lang, preferred: status.locale });
  const t = await translations(lang);
  const todos = status.channels.filter((c) => c.todo);
  return (
    <PublicShell
      brand={{ name: status.hubBrand, logoUrl: status.logoUrl, accentColor: status.accentColor }}
      lang={lang}
      langHrefs={langHrefs(`/onboarding/status/${token}`)}
      languageLabel={t("shell.languageLabel")}
    >
      <div className="space-y-8">
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="space-y-2">
            <h1 className="text-3xl font-semibold tracking-tight text-slate-900">{t("status.title")}</h1>
            <p className="text-lg text-slate-700" data-testid="session-words">
              {t(`status.session.${status.sessionStatus}`)}
            </p>
          </div>
          <StatusLive token={token} labels={{ connecting: t("status.live.connecting"), live: t("status.live.live"), reconnecting: t("status.live.reconnecting") }} />
        </div>

        <section aria-labelledby="numbers-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 id="numbers-title" className="text-lg font-semibold text-slate-900">
            {t("status.numbersTitle", { count: status.channels.length })}
          </h2>
          {status.channels.length === 0 ? (
            <p className="mt-3 text-slate-700">{t("status.noNumbers")}</p>
          ) : (
            <ul className="mt-3 divide-y divide-slate-100">
              {status.channels.map((channel) => (
                <li key={channel.id} className="py-4" data-testid="status-number">
                  <p className="font-semibold text-slate-900">
                    <span className="sr-only">{t("status.number")}: </span>
                    {channel.phoneNumber ?? t("status.noNumber")}
                    {channel.displayName ? <span className="font-normal text-slate-600"> · {channel.displayName}</span> : null}
                  </p>
                  <p className="mt-1 text-slate-800">
                    <strong className="font-semibold">{t(`status.state.${channel.statusKey}`)}</strong>
                    {": "}
                    {channel.until
                      ? t("status.meaning.cancellation_requested_until", { until: formatLongDayIn(lang, channel.until) })
                      : t(`status.meaning.${channel.meaning === "cancellation_requested_until" ? "cancellation_requested" : channel.meaning}`)}
                  </p>
                  <p className="mt-1 text-xs text-slate-500">{t("status.since", { at: formatMinuteIn(lang, channel.since) })}</p>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section aria-labelledby="todo-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 id="todo-title" className="text-lg font-semibold text-slate-900">
            {t("status.todoTitle")}
          </h2>
          {todos.length > 0 ? (
            <ul className="mt-3 list-disc space-y-2 pl-5 text-slate-800">
              {todos.map((channel) => (
                <li key={channel.id}>
                  <span className="font-semibold">{channel.phoneNumber ?? t("status.noNumber")}</span>: {t("status.grantAccess")}
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-3 text-slate-700">{status.sessionStatus === "completed" ? t("status.nothingToDo") : t(`status.session.${status.sessionStatus}`)}</p>
          )}
        </section>
      </div>
    </PublicShell>
  );
}
