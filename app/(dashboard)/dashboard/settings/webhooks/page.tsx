import type { Metadata } from "next";
import Link from "next/link";
import { DataTable } from "@/app/_components/data-table";
import { Badge, Card, EmptyState, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { hubOptions } from "@/lib/dashboard/lists";
import { formatMinute } from "@/lib/dates";
import { PUBLIC_EVENT_TYPES } from "@/lib/events/catalogue";
import { loadEndpoints } from "@/lib/outbound/views";
import { CreateEndpointForm } from "./endpoint-forms";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksSettingsPage() {
  await requirePageRole("admin");
  const [endpoints, hubs] = await Promise.all([loadEndpoints(), hubOptions()]);
  const hubName = new Map(hubs.map((h) => [h.id, h.name]));
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Your platform's endpoints for the portal's events, signed by Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature). Retried with backoff for up to 3 days, in order per resource; an endpoint failing for 3 days is disabled. See docs/outbound-webhooks.md."
        actions={<Link href="/dashboard/settings" className={secondaryButtonClass}>Back to settings</Link>}
      />
      <Card title="New endpoint" className="mb-6">
        <CreateEndpointForm types={[...PUBLIC_EVENT_TYPES]} hubs={hubs} />
      </Card>
      <Card title="Endpoints">
        {endpoints.length === 0 ? (
          <EmptyState title="No endpoints yet">Add one above, or through the API (POST /api/v1/webhook-endpoints, scope webhooks).</EmptyState>
        ) : (
          <DataTable
            caption="Webhook endpoints"
            rows={endpoints}
            rowKey={(e) => e.id}
            rowProps={() => ({ "data-testid": "webhook-endpoint-row" })}
            scroll
            columns={[
              { header: "URL", className: "py-2 pr-4", cell: (e) => <Link className="font-medium underline" href={`/dashboard/settings/webhooks/${e.id}`}>{e.url}</Link> },
              { header: "Description", className: "py-2 pr-4", cell: (e) => e.description },
              { header: "Events", className: "py-2 pr-4", cell: (e) => (e.eventTypes ? e.eventTypes.join(", ") : "All") },
              { header: "Hub", className: "py-2 pr-4", cell: (e) => (e.hubId ? (hubName.get(e.hubId) ?? e.hubId) : "Every hub") },
              { header: "State", className: "py-2 pr-4", cell: (e) => (e.enabled ? <Badge tone="green">Enabled</Badge> : <Badge tone="red">Disabled</Badge>) },
              { header: "Created", className: "py-2 pr-4", cell: (e) => formatMinute(e.createdAt) },
            ]}
          />
        )}
      </Card>
    </>
  );
}
