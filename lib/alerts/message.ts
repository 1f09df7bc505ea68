import type { Mail } from "../mail/send";

// What an alert says (docs/alerts.md §2): a title, a few lines of text, and the link to the page that shows it.
// Built from the event's `data` (what changed) and its frozen `resource` (the subject as the REST API shows it).

export type AlertEvent = {
  type: string;
  subjectType: string;
  subjectId: string;
  data: Record<string, unknown>;
  resource: Record<string, unknown> | null;
  occurredAt: Date;
};

export type AlertMessage = { title: string; text: string; link: string };

const str = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value : typeof value === "number" ? String(value) : null);

/** The dashboard page that shows the event's subject. */
export function alertPath(event: Pick<AlertEvent, "subjectType" | "subjectId">): string {
  const id = encodeURIComponent(event.subjectId);
  switch (event.subjectType) {
    case "channel":
      return `/dashboard/channels/${id}`;
    case "template":
      return `/dashboard/templates/${id}`;
    case "webhook_event":
      return `/dashboard/webhooks/${id}`;
    case "client":
      return `/dashboard/clients/${id}`;
    case "webhook_endpoint":
      return `/dashboard/settings/webhooks/${id}`;
    default:
      return "/dashboard/settings";
  }
}

function numberName(resource: Record<string, unknown> | null, fallback: string): string {
  const phone = str(resource?.phoneNumber);
  const name = str(resource?.displayName);
  if (phone && name) return `${name} (${phone})`;
  return phone ?? name ?? `number ${fallback}`;
}

function templateName(resource: Record<string, unknown> | null, fallback: string): string {
  const name = str(resource?.name);
  const language = str(resource?.language);
  return name ? `${name}${language ? ` (${language})` : ""}` : `template ${fallback}`;
}

export function renderAlert(event: AlertEvent, baseUrl: string): AlertMessage {
  const d = event.data;
  const r = event.resource;
  const link = `${baseUrl}${alertPath(event)}`;
  const lines: string[] = [];
  let title: string;
  switch (event.type) {
    case "channel.stuck":
      title = `Number stuck: ${numberName(r, event.subjectId)}`;
      if (str(d.explanation)) lines.push(str(d.explanation)!);
      if (str(d.next_step)) lines.push(`Next step: ${str(d.next_step)}`);
      break;
    case "channel.restricted":
      title = `Number restricted by Meta: ${numberName(r, event.subjectId)}`;
      lines.push("Meta restricted or banned the number's account. The number's page says what to do.");
      break;
    case "channel.cancelled":
      title = `Number cancelled: ${numberName(r, event.subjectId)}`;
      lines.push("The number's cancellation was processed: it is gone at 360dialog.");
      break;
    case "template.status_changed":
      title = `Template ${str(d.to)?.toLowerCase() ?? "changed"}: ${templateName(r, event.subjectId)}`;
      lines.push(`Status: ${str(d.from) ?? "?"} → ${str(d.to) ?? "?"}.`);
      if (str(d.reason)) lines.push(`Reason: ${str(d.reason)}`);
      break;
    case "template.category_changed":
      title = `Template re-categorised: ${templateName(r, event.subjectId)}`;
      lines.push(`Category: ${str(d.from) ?? "?"} → ${str(d.to) ?? "?"}.`);
      break;
    case "inbox.webhook_dead":
      title = `Webhook delivery dead${str(d.event) ? `: ${str(d.event)}` : ""}`;
      lines.push("A received delivery failed its last processing attempt. It can be replayed from the webhook inbox.");
      if (str(d.error)) lines.push(`Error: ${str(d.error)}`);
      break;
    case "outbound.delivery_dead":
      title = "Outbound event delivery dead";
      lines.push("An event could not be delivered to your endpoint within its retry window.");
      if (str(d.error)) lines.push(`Error: ${str(d.error)}`);
      break;
    case "outbound.endpoint_disabled":
      title = "Outbound endpoint disabled";
      lines.push("An endpoint failed for 3 days and was disabled.");
      break;
    default:
      title = event.type;
  }
  lines.push(`When: ${event.occurredAt.toISOString().replace("T", " ").slice(0, 16)} UTC`);
  return { title, text: lines.join("\n"), link };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** One alert, or a digest of several, as a mail: plain text for every client, simple HTML beside it. */
export function alertMail(to: string, subject: string, items: AlertMessage[], intro?: string): Mail {
  const text = [intro, ...items.map((a) => `${a.title}\n${a.text}\nOpen: ${a.link}`)].filter(Boolean).join("\n\n");
  const html = [
    intro ? `<p>${escapeHtml(intro)}</p>` : "",
    ...items.map(
      (a) =>
        `<h3 style="margin:16px 0 4px">${escapeHtml(a.title)}</h3><p style="margin:0;white-space:pre-line">${escapeHtml(a.text)}</p><p style="margin:4px 0"><a href="${escapeHtml(a.link)}">Open in the portal</a></p>`,
    ),
  ].join("");
  return { to, subject, text, html };
}

/** Slack's mrkdwn needs &, < and > escaped; links are written <url|words> (docs/alerts.md §3). */
const escapeSlack = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function slackMessage(items: AlertMessage[], intro?: string): { text: string } {
  const parts = items.map((a) => `*${escapeSlack(a.title)}*\n${escapeSlack(a.text)}\n<${a.link}|Open in the portal>`);
  return { text: [intro ? escapeSlack(intro) : null, ...parts].filter(Boolean).join("\n\n") };
}
