import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { formatMinuteIn } from "@/lib/dates";
import { chooseLang, dictionary } from "@/lib/onboarding/i18n";
import { getOnboardingStatus } from "@/lib/onboarding/status-page";
import { PublicShell } from "../../../_components/public-shell";
import { StatusLive } from "../../../_components/status-live";

export const metadata: Metadata = { title: "Your WhatsApp setup" };

/** "Created: 360dialog has …" → ["Created", "360dialog has …"]: the state in bold, then what it means. */
function splitWords(text: string): [string, string] {
  const at = text.indexOf(": ");
  return at > 0 ? [text.slice(0, at), text.slice(at + 2)] : [text, ""];
}

export default async function StatusPage({ params, searchParams }: { params: Promise<{ token: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ token }, query] = await Promise.all([params, searchParams]);
  const status = await getOnboardingStatus(token);
  if (!status) notFound();
  const lang = chooseLang({ query: query.lang, preferred: status.lang, fallback: status.lang });
  const t = dictionary(lang);
  const here = `/onboarding/status/${token}`;
  const todos = status.channels.filter((c) => c.todo);
  return (
    <PublicShell
      brand={{ name: status.hubBrand, logoUrl: status.logoUrl, accentColor: status.accentColor }}
      lang={lang}
      langHrefs={{ en: `${here}?lang=en`, de: `${here}?lang=de` }}
      languageLabel={t.languageLabel}
    >
      <div className="space-y-8">
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="space-y-2">
            <h1 className="text-3xl font-semibold tracking-tight text-slate-900">{t.status.title}</h1>
            <p className="text-lg text-slate-700" data-testid="session-words">
              {status.sessionWords[lang]}
            </p>
          </div>
          <StatusLive token={token} labels={t.status.live} />
        </div>

        <section aria-labelledby="numbers-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 id="numbers-title" className="text-lg font-semibold text-slate-900">
            {t.status.numbersTitle}
          </h2>
          {status.channels.length === 0 ? (
            <p className="mt-3 text-slate-700">{t.status.noNumbers}</p>
          ) : (
            <ul className="mt-3 divide-y divide-slate-100">
              {status.channels.map((channel) => {
                const [state, meaning] = splitWords(channel.words[lang]);
                return (
                  <li key={channel.id} className="py-4" data-testid="status-number">
                    <p className="font-semibold text-slate-900">
                      <span className="sr-only">{t.status.number}: </span>
                      {channel.phoneNumber ?? t.status.noNumber}
                      {channel.displayName ? <span className="font-normal text-slate-600"> · {channel.displayName}</span> : null}
                    </p>
                    <p className="mt-1 text-slate-800">
                      <strong className="font-semibold">{state}</strong>
                      {meaning ? `: ${meaning}` : null}
                    </p>
                    <p className="mt-1 text-xs text-slate-500">
                      {t.status.since} {formatMinuteIn(lang, channel.since)} UTC
                    </p>
                  </li>
                );
              })}
            </ul>
          )}
        </section>

        <section aria-labelledby="todo-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 id="todo-title" className="text-lg font-semibold text-slate-900">
            {t.status.todoTitle}
          </h2>
          {todos.length > 0 ? (
            <ul className="mt-3 list-disc space-y-2 pl-5 text-slate-800">
              {todos.map((channel) => (
                <li key={channel.id}>
                  <span className="font-semibold">{channel.phoneNumber ?? t.status.noNumber}</span>: {channel.todo?.[lang]}
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-3 text-slate-700">{status.sessionStatus === "completed" ? t.status.nothingToDo : status.sessionWords[lang]}</p>
          )}
        </section>
      </div>
    </PublicShell>
  );
}
