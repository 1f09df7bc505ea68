import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DataTable } from "@/app/_components/data-table";
import { Alert, Badge, Card, EmptyState, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { hubOptions } from "@/lib/dashboard/lists";
import { formatSecond } from "@/lib/dates";
import { isAppError } from "@/lib/errors";
import { PUBLIC_EVENT_TYPES } from "@/lib/events/catalogue";
import { loadEndpointWithLog } from "@/lib/outbound/views";
import { DeleteEndpointButton, EditEndpointForm, ReplayDeliveryButton, ReplaySinceForm, RotateSecretForm, SendTestButton } from "../endpoint-forms";

export const metadata: Metadata = { title: "Webhook endpoint" };

const tone = { delivered: "green", pending: "amber", dead: "red" } as const;

export default async function WebhookEndpointPage({ params }: { params: Promise<{ endpointId: string }> }) {
  await requirePageRole("admin");
  const { endpointId } = await params;
  const loaded = await loadEndpointWithLog(endpointId).catch((error: unknown) => {
    if (isAppError(error) && error.status === 404) notFound();
    throw error;
  });
  const { endpoint, log } = loaded;
  const hubs = await hubOptions();
  return (
    <>
      <PageHeader title={endpoint.url} description={endpoint.description || "Webhook endpoint"} actions={<Link href="/dashboard/settings/webhooks" className={secondaryButtonClass}>All endpoints</Link>} />
      {!endpoint.enabled ? <Alert tone="warning">Disabled{endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ""}. Deliveries wait until it is enabled again.</Alert> : null}
      <div className="mb-6 grid gap-6 lg:grid-cols-2">
        <Card title="Endpoint">
          <EditEndpointForm types={[...PUBLIC_EVENT_TYPES]} hubs={hubs} initial={{ endpointId: endpoint.id, url: endpoint.url, description: endpoint.description, eventTypes: endpoint.eventTypes, hubId: endpoint.hubId, enabled: endpoint.enabled }} />
        </Card>
        <Card title="Actions">
          <div className="space-y-6">
            <SendTestButton endpointId={endpoint.id} />
            <ReplaySinceForm endpointId={endpoint.id} />
            <RotateSecretForm endpointId={endpoint.id} />
            {endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date() ? <p className="text-sm">The previous secret also signs until {formatSecond(endpoint.previousSecretExpiresAt)}.</p> : null}
            <DeleteEndpointButton endpointId={endpoint.id} />
          </div>
        </Card>
      </div>
      <Card title="Delivery log">
        {log.length === 0 ? (
          <EmptyState title="Nothing sent yet">Events this endpoint subscribes to appear here as they are delivered.</EmptyState>
        ) : (
          <DataTable
            caption="Deliveries, newest first"
            rows={log}
            rowKey={(d) => d.id}
            rowProps={(d) => ({ "data-testid": "delivery-row", "data-event-type": d.eventType, "data-status": d.status })}
            scroll
            columns={[
              { header: "Event", className: "py-2 pr-4", cell: (d) => <><code className="text-xs">{d.eventType}</code><br /><code className="text-xs text-slate-500">{d.messageId}</code></> },
              { header: "State", className: "py-2 pr-4", cell: (d) => <Badge tone={tone[d.status as keyof typeof tone] ?? "slate"}>{d.status}</Badge> },
              { header: "Attempts", className: "py-2 pr-4", cell: (d) => String(d.attempts) },
              {
                header: "Last attempt",
                className: "py-2 pr-4",
                cell: (d) => {
                  const a = d.attemptsLog[0];
                  if (!a) return "—";
                  return `${formatSecond(a.attemptedAt)}: ${a.statusCode ?? "no answer"}, ${a.latencyMs} ms${a.requestId ? `, request ${a.requestId}` : ""}${a.error ? ` — ${a.error}` : ""}`;
                },
              },
              { header: "Next retry", className: "py-2 pr-4", cell: (d) => (d.status === "pending" && d.attempts > 0 ? formatSecond(d.nextAttemptAt) : "—") },
              { header: <span className="sr-only">Actions</span>, className: "py-2", cell: (d) => <ReplayDeliveryButton endpointId={endpoint.id} deliveryId={d.id} /> },
            ]}
          />
        )}
      </Card>
    </>
  );
}
