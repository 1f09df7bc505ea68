import type { Metadata } from "next";
import Link from "next/link";
import { DataTable } from "@/app/_components/data-table";
import { Alert, Badge, Card, EmptyState, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { ALERT_CONDITIONS, ALERT_CONDITION_WORDS } from "@/lib/alerts/conditions";
import { loadAlertHistory, loadAlertRules, mailConfigured } from "@/lib/alerts/rules";
import { requirePageRole } from "@/lib/auth/session";
import { hubOptions } from "@/lib/dashboard/lists";
import { formatMinute } from "@/lib/dates";
import { AddDestinationForm, DeleteRuleButton, DestinationButtons, RuleForm } from "./alert-forms";

export const metadata: Metadata = { title: "Alerts" };

const OUTCOME_TONE = { sent: "green", failed: "red", retrying: "amber", queued: "slate" } as const;

export default async function AlertsPage() {
  await requirePageRole("admin");
  const [rules, history, hubs] = await Promise.all([loadAlertRules(), loadAlertHistory({ limit: 100 }), hubOptions()]);
  const mail = mailConfigured();
  const conditions = ALERT_CONDITIONS.map((id) => ({ id, words: ALERT_CONDITION_WORDS[id] }));
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Tell your staff when something needs a person: a number stuck, restricted or cancelled, a template rejected, a delivery that gave up. Each occurrence is sent once per destination, with a link to the page that shows it, at once or in a daily digest."
        actions={<Link href="/dashboard/settings" className={secondaryButtonClass}>Back to settings</Link>}
      />
      {mail ? null : (
        <div className="mb-6">
          <Alert tone="warning">Mail is not configured on this portal (SMTP_URL is not set): email destinations can be added, but nothing is sent to them until it is. Slack destinations work.</Alert>
        </div>
      )}
      <Card title="New rule" className="mb-6">
        {hubs.length === 0 ? <EmptyState title="No hub yet">Add a hub in Settings first.</EmptyState> : <RuleForm conditions={conditions} hubs={hubs} />}
      </Card>
      {rules.map((rule) => (
        <Card key={rule.id} title={`${rule.name} · ${rule.hubName}`} className="mb-6">
          <div className="mb-3 flex flex-wrap items-center gap-2" data-testid="alert-rule">
            <Badge tone={rule.enabled ? "green" : "slate"}>{rule.enabled ? "Enabled" : "Off"}</Badge>
            <Badge tone="blue">{rule.mode === "digest" ? `Daily digest from ${String(rule.digestHour).padStart(2, "0")}:00 UTC` : "At once"}</Badge>
          </div>
          <h3 className="mb-2 text-sm font-semibold">Destinations</h3>
          {rule.destinations.length === 0 ? (
            <p className="mb-3 text-sm text-slate-600">None yet: this rule sends nothing until it has one.</p>
          ) : (
            <ul className="mb-3 space-y-2">
              {rule.destinations.map((d) => (
                <li key={d.id} className="flex flex-wrap items-start justify-between gap-2 border-b border-slate-100 pb-2" data-testid="alert-destination">
                  <span className="text-sm">
                    <Badge>{d.kind === "email" ? "Email" : "Slack"}</Badge> {d.label}
                    {d.kind === "email" && !mail ? <span className="ml-2 text-xs text-amber-700">not sent: mail is not configured</span> : null}
                  </span>
                  <DestinationButtons destinationId={d.id} label={d.label} />
                </li>
              ))}
            </ul>
          )}
          <AddDestinationForm ruleId={rule.id} ruleName={rule.name} mailConfigured={mail} />
          <details className="mt-4">
            <summary className="cursor-pointer text-sm font-medium">Edit rule</summary>
            <div className="mt-3 space-y-3">
              <RuleForm conditions={conditions} rule={{ id: rule.id, name: rule.name, conditions: rule.conditions, mode: rule.mode, digestHour: rule.digestHour, enabled: rule.enabled }} />
              <DeleteRuleButton ruleId={rule.id} name={rule.name} />
            </div>
          </details>
        </Card>
      ))}
      <Card title="History">
        {history.length === 0 ? (
          <EmptyState title="Nothing sent yet">Alerts, digests and test sends appear here with their outcome.</EmptyState>
        ) : (
          <DataTable
            caption="Alert history"
            rows={history}
            rowKey={(h) => h.id}
            rowProps={() => ({ "data-testid": "alert-history-row" })}
            scroll
            columns={[
              { header: "When", className: "py-2 pr-4 whitespace-nowrap", cell: (h) => formatMinute(h.sentAt ?? h.createdAt) },
              { header: "What", className: "py-2 pr-4", cell: (h) => <><span className="font-medium">{h.subject}</span><span className="block text-xs text-slate-500">{h.kind === "test" ? "Test" : h.kind === "digest" ? "Digest" : "Alert"} · {h.ruleName ?? "deleted rule"} · {h.hubName}</span></> },
              { header: "To", className: "py-2 pr-4", cell: (h) => h.target },
              {
                header: "Outcome",
                className: "py-2 pr-4",
                cell: (h) => (
                  <>
                    <Badge tone={OUTCOME_TONE[h.outcome]}>{h.outcome === "retrying" ? `Retrying (${h.attemptsMade} tried)` : h.outcome[0]!.toUpperCase() + h.outcome.slice(1)}</Badge>
                    {h.detail ? <span className="block text-xs text-slate-600">{h.detail}</span> : null}
                  </>
                ),
              },
            ]}
          />
        )}
      </Card>
    </>
  );
}
