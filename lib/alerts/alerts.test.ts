import { describe, expect, it } from "vitest";
import { conditionOf } from "./conditions";
import { alertMail, renderAlert, slackMessage } from "./message";
import { slackLabel, slackUrlProblem } from "./slack";

// The pure parts of staff alerts (docs/alerts.md): which events alert, what they say, which Slack URLs are taken.

describe("conditionOf", () => {
  it("maps each alerting event to its condition and leaves the rest alone", () => {
    expect(conditionOf({ type: "channel.stuck", data: {} })).toBe("number_stuck");
    expect(conditionOf({ type: "channel.cancelled", data: {} })).toBe("number_restricted");
    expect(conditionOf({ type: "template.status_changed", data: { to: "rejected" } })).toBe("template_rejected");
    expect(conditionOf({ type: "template.status_changed", data: { to: "PAUSED" } })).toBe("template_rejected");
    expect(conditionOf({ type: "template.status_changed", data: { to: "approved" } })).toBeNull();
    expect(conditionOf({ type: "template.category_changed", data: {} })).toBe("template_rejected");
    expect(conditionOf({ type: "outbound.delivery_dead", data: {} })).toBe("delivery_dead");
    expect(conditionOf({ type: "outbound.endpoint_disabled", data: {} })).toBe("endpoint_disabled");
    expect(conditionOf({ type: "channel.running", data: {} })).toBeNull();
  });
});

describe("messages", () => {
  const event = {
    type: "template.status_changed",
    subjectType: "template",
    subjectId: "t-1",
    data: { from: "submitted", to: "rejected", reason: "<b>TAG_CONTENT_MISMATCH</b> & more" },
    resource: { name: "order_shipped", language: "en" },
    occurredAt: new Date("2026-12-03T08:00:00Z"),
  };
  it("says what happened and links to the page that shows it", () => {
    const alert = renderAlert(event, "https://portal.example");
    expect(alert).toEqual({
      title: "Template rejected: order_shipped (en)",
      text: "Status: submitted → rejected.\nReason: <b>TAG_CONTENT_MISMATCH</b> & more\nWhen: 2026-12-03 08:00 UTC",
      link: "https://portal.example/dashboard/templates/t-1",
    });
  });
  it("escapes what came from outside in HTML and in Slack's mrkdwn", () => {
    const alert = renderAlert(event, "https://portal.example");
    expect(alertMail("a@b.test", "s", [alert]).html).toContain("&lt;b&gt;TAG_CONTENT_MISMATCH&lt;/b&gt; &amp; more");
    expect(slackMessage([alert]).text).toContain("&lt;b&gt;TAG_CONTENT_MISMATCH&lt;/b&gt; &amp; more");
    expect(slackMessage([alert]).text).toContain("<https://portal.example/dashboard/templates/t-1|Open in the portal>");
  });
});

describe("Slack URLs", () => {
  it("takes only https://hooks.slack.com/services/… unless any URL is allowed", () => {
    expect(slackUrlProblem("https://hooks.slack.com/services/T1/B1/x", false)).toBeNull();
    expect(slackUrlProblem("http://hooks.slack.com/services/T1/B1/x", false)).not.toBeNull();
    expect(slackUrlProblem("https://hooks.slack.com.evil.test/services/x", false)).not.toBeNull();
    expect(slackUrlProblem("https://user:pw@hooks.slack.com/services/x", false)).not.toBeNull();
    expect(slackUrlProblem("http://127.0.0.1:9/hook", false)).not.toBeNull();
    expect(slackUrlProblem("http://127.0.0.1:9/hook", true)).toBeNull();
    expect(slackUrlProblem("ftp://127.0.0.1/hook", true)).not.toBeNull();
    expect(slackUrlProblem("not a url", true)).not.toBeNull();
  });
  it("is listed by host and last four characters only", () => {
    expect(slackLabel("https://hooks.slack.com/services/T1/B1/secretWXYZ")).toBe("Slack hooks.slack.com …WXYZ");
  });
});
