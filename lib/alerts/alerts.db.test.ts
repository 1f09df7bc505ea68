import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { alertDeliveries, alertDestinations, auditLog, jobs, platformEvents, webhookEvents, type User } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { createUser, setTestEnvironment, waitFor } from "@/test/support/channels";
import { startSmtpServer, type TestSmtpServer } from "@/test/support/smtp";
import { cleanDraft, drainJobs, sandboxForFile, templateRow, templateWorldForSuite, uniqueName } from "@/test/support/templates";
import { publicBaseUrl, resetEnvForTests } from "../env";
import { emitEvent } from "../events/emit";
import { saveOrSubmitTemplate } from "../templates/submit";
import { replayWebhookEvent } from "../webhooks/replay";
import { alertsConsumer } from "./consumer";
import { sendDailyDigests } from "./digest";
import { addAlertDestination, createAlertRule, loadAlertHistory, sendTestAlert } from "./rules";

setTestEnvironment();

// Staff alerts (docs/alerts.md) through the real path: the sandbox rejects a template, Meta's verdict arrives at the
// WABA receiver, the job runner applies it, the event is dispatched to the alerts consumer, and the alert travels
// as a queued mail to a real SMTP server (test/support/smtp.ts) and as an `alert.slack` job to a Slack stand-in
// on node:http. No transport is mocked.

const sandbox = sandboxForFile();

type SlackPost = { path: string; body: { text?: string } };
/** A Slack incoming webhook stand-in: records every post; answers the queued replies first, then 200 `ok`. */
function startSlackReceiver() {
  const posts: SlackPost[] = [];
  const replies: { status: number; body: string; headers?: Record<string, string> }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      posts.push({ path: req.url ?? "", body: JSON.parse(raw || "{}") as { text?: string } });
      const reply = replies.shift() ?? { status: 200, body: "ok" };
      res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers }).end(reply.body);
    });
  });
  return {
    posts,
    replies,
    server,
    start: () => new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let smtp: TestSmtpServer;
const slack = startSlackReceiver();
let slackBase: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  smtp = await startSmtpServer();
  slackBase = await slack.start();
  Object.assign(process.env, { SMTP_URL: smtp.url, MAIL_FROM: "Portal <portal@acme.test>", ALERTS_SLACK_ANY_URL: "true" });
  resetEnvForTests();
});
afterAll(async () => {
  for (const k of ["SMTP_URL", "MAIL_FROM", "ALERTS_SLACK_ANY_URL"]) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  resetEnvForTests();
  await smtp.close();
  await slack.close();
});

forEachDatabase("staff alerts", (ctx) => {
  const suite = templateWorldForSuite(ctx, sandbox);
  let admin: User;
  let slackPath: string;
  const actor = () => ({ id: admin.id, email: admin.email });

  beforeAll(async () => {
    admin = await createUser(ctx.get().db, "admin");
    slackPath = `/services/T0/B0/${randomUUID()}`;
  });

  const postsTo = (path: string) => slack.posts.filter((p) => p.path === path);
  /** Jobs waiting for their backoff run now (the clock moved on). */
  const dueNow = (kind: string) => ctx.get().db.update(jobs).set({ runAt: new Date(Date.now() - 1000) }).where(and(eq(jobs.kind, kind), eq(jobs.status, "queued")));

  it("a rejected template alerts once by mail and once on Slack, with a link to the template; a replay alerts nobody again", async () => {
    const { db } = ctx.get();
    const { hub } = suite.world;
    const to = `ops-${randomUUID().slice(0, 8)}@acme.test`;
    const rule = await createAlertRule(actor(), hub.id, { name: "Templates", conditions: ["template_rejected"], mode: "immediate", digestHour: 7 });
    await addAlertDestination(actor(), rule.id, { kind: "email", target: to });
    await addAlertDestination(actor(), rule.id, { kind: "slack", target: `${slackBase}${slackPath}` });
    // The Slack URL is a credential: stored sealed, listed by its host and last characters.
    const [stored] = await db.select().from(alertDestinations).where(and(eq(alertDestinations.ruleId, rule.id), eq(alertDestinations.kind, "slack")));
    expect(stored!.slackUrlEnc).not.toContain(slackPath);
    expect(stored!.label).toBe(`Slack 127.0.0.1:${new URL(slackBase).port} …${slackPath.slice(-4)}`);

    const name = uniqueName("alert_bad");
    const outcome = await saveOrSubmitTemplate(suite.world.actor, { channelId: suite.number.channel.id, action: "submit", draft: cleanDraft(name) }, { db });
    const template = await templateRow(db, outcome.templateId);
    await sandbox.sb.control(`/templates/${template.externalId}/status`, { status: "rejected", rejectedReason: "TAG_CONTENT_MISMATCH" });
    await waitFor(
      () => sandbox.sb.deliveries.some((d) => d.wabaHubId && d.event === "message_template_status_update" && d.status === 200 && d.raw.includes(template.externalId!) && d.raw.includes("REJECTED")),
      "the rejection at the WABA receiver",
    );
    await drainJobs(db);
    expect((await templateRow(db, template.id)).status).toBe("rejected");

    const mail = await smtp.waitFor((m) => m.to.includes(to));
    const link = `${publicBaseUrl()}/dashboard/templates/${template.id}`;
    expect(mail.subject).toBe(`[Alert] Template rejected: ${name} (en)`);
    expect(mail.text).toContain("Reason: TAG_CONTENT_MISMATCH");
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
    expect(postsTo(slackPath)).toHaveLength(1);
    expect(postsTo(slackPath)[0]!.body.text).toContain(`<${link}|Open in the portal>`);

    // The same event dispatched again (a re-run of the dispatch job), and the WABA delivery replayed by an operator.
    const [event] = await db.select().from(platformEvents).where(and(eq(platformEvents.subjectId, template.id), eq(platformEvents.type, "template.status_changed")));
    await alertsConsumer({ getDb: async () => db }).consume(event!);
    const [delivery] = (await db.select().from(webhookEvents).where(eq(webhookEvents.event, "message_template_status_update"))).filter((w) => w.rawBody.includes(template.externalId!) && w.rawBody.includes("REJECTED"));
    expect(delivery).toBeDefined();
    await replayWebhookEvent(actor(), delivery!.id);
    await drainJobs(db);
    expect(smtp.messages.filter((m) => m.to.includes(to))).toHaveLength(1);
    expect(postsTo(slackPath)).toHaveLength(1);

    const history = (await loadAlertHistory()).filter((h) => h.ruleId === rule.id);
    expect(history.map((h) => [h.kind, h.channel, h.outcome]).sort()).toEqual([
      ["alert", "email", "sent"],
      ["alert", "slack", "sent"],
    ]);
  });

  it("a digest rule collects the day's alerts into one digest per UTC day", async () => {
    const { db } = ctx.get();
    const { hub } = suite.world;
    const to = `digest-${randomUUID().slice(0, 8)}@acme.test`;
    const rule = await createAlertRule(actor(), hub.id, { name: "Daily numbers", conditions: ["number_stuck", "number_restricted"], mode: "digest", digestHour: 0 });
    await addAlertDestination(actor(), rule.id, { kind: "email", target: to });
    const channelId = suite.number.channel.id;
    await db.transaction(async (tx) => {
      await emitEvent(tx, { type: "channel.stuck", hubId: hub.id, subjectId: channelId, data: { rule: "not_running", explanation: "Not running after 48 hours." } });
      await emitEvent(tx, { type: "channel.restricted", hubId: hub.id, subjectId: channelId, data: {} });
      await emitEvent(tx, { type: "channel.running", hubId: hub.id, subjectId: channelId, data: {} }); // no condition
    });
    await drainJobs(db);
    expect(smtp.messages.filter((m) => m.to.includes(to))).toHaveLength(0); // waiting for the digest

    const now = new Date();
    expect(await sendDailyDigests({ db, now })).toBeGreaterThanOrEqual(1);
    expect(await sendDailyDigests({ db, now: new Date(now.getTime() + 60_000) })).toBe(0);
    await drainJobs(db);
    const digest = await smtp.waitFor((m) => m.to.includes(to));
    expect(digest.subject).toBe(`[Alert digest] Daily numbers: 2 alerts (${now.toISOString().slice(0, 10)})`);
    expect(digest.text).toContain("Number stuck:");
    expect(digest.text).toContain("Not running after 48 hours.");
    expect(digest.text).toContain("Number restricted by Meta:");
    expect(digest.text).toContain(`${publicBaseUrl()}/dashboard/channels/${channelId}`);
    expect(smtp.messages.filter((m) => m.to.includes(to))).toHaveLength(1);
  });

  it("a Slack post that fails is retried, and the history shows the failure until it is sent", async () => {
    const { db } = ctx.get();
    const { hub } = suite.world;
    const path = `/services/T0/B1/${randomUUID()}`;
    const rule = await createAlertRule(actor(), hub.id, { name: "Dead deliveries", conditions: ["delivery_dead"], mode: "immediate", digestHour: 7 });
    await addAlertDestination(actor(), rule.id, { kind: "slack", target: `${slackBase}${path}` });
    slack.replies.push({ status: 500, body: "rollup_error" }, { status: 429, body: "rate_limited", headers: { "retry-after": "1" } });
    await emitEvent(db, { type: "inbox.webhook_dead", hubId: hub.id, subjectId: randomUUID(), data: { event: "channel_live", error: "boom" } });
    await drainJobs(db);
    let [entry] = (await loadAlertHistory()).filter((h) => h.ruleId === rule.id);
    expect(entry).toMatchObject({ channel: "slack", outcome: "retrying", detail: "Slack answered 500 rollup_error", attemptsMade: 1 });

    await dueNow("alert.slack");
    await drainJobs(db);
    [entry] = (await loadAlertHistory()).filter((h) => h.ruleId === rule.id);
    expect(entry).toMatchObject({ outcome: "retrying", detail: "Slack answered 429 rate_limited", attemptsMade: 2 });
    // Slack's Retry-After is honoured: the next try is not before it.
    const [job] = await db.select().from(jobs).where(eq(jobs.id, entry!.jobId!));
    expect(job!.runAt.getTime()).toBeGreaterThan(Date.now() + 500);

    await dueNow("alert.slack");
    await drainJobs(db);
    [entry] = (await loadAlertHistory()).filter((h) => h.ruleId === rule.id);
    expect(entry).toMatchObject({ outcome: "sent", detail: null, attemptsMade: 3 });
    expect(postsTo(path)).toHaveLength(3);
    expect(postsTo(path)[2]!.body.text).toContain("Webhook delivery dead: channel_live");
  });

  it("send test answers the real outcome: sent, SMTP refused, Slack's 404; each is audited", async () => {
    const { db } = ctx.get();
    const rule = await createAlertRule(actor(), suite.world.hub.id, { name: "Tests", conditions: ["endpoint_disabled"], mode: "immediate", digestHour: 7 });
    const to = `test-${randomUUID().slice(0, 8)}@acme.test`;
    const email = await addAlertDestination(actor(), rule.id, { kind: "email", target: to });
    const gonePath = `/services/T0/B2/${randomUUID()}`;
    const gone = await addAlertDestination(actor(), rule.id, { kind: "slack", target: `${slackBase}${gonePath}` });

    await expect(sendTestAlert(actor(), email.id)).resolves.toEqual({ sent: true, words: `Sent to ${to}: the SMTP server accepted it.` });
    expect((await smtp.waitFor((m) => m.to.includes(to))).subject).toBe("[Alert] Test alert from the partner portal");

    process.env.SMTP_URL = smtp.url.replace("portal:test", "portal:wrong");
    resetEnvForTests();
    try {
      const refused = await sendTestAlert(actor(), email.id);
      expect(refused.sent).toBe(false);
      expect(refused.words).toMatch(/^Not sent: the SMTP server refused or could not be reached \(.*(auth|credentials|535)/i);
    } finally {
      process.env.SMTP_URL = smtp.url;
      resetEnvForTests();
    }

    slack.replies.push({ status: 404, body: "no_service" });
    await expect(sendTestAlert(actor(), gone.id)).resolves.toEqual({ sent: false, words: "Not sent: Slack answered 404 no_service." });
    expect(postsTo(gonePath)).toHaveLength(1);

    const audits = await db.select().from(auditLog).where(eq(auditLog.action, "alert.test_sent"));
    const mine = audits.filter((a) => a.targetId === email.id || a.targetId === gone.id);
    expect(mine.map((a) => (a.detail as { sent: boolean }).sent).sort()).toEqual([false, false, true]);
    const tests = await db.select().from(alertDeliveries).where(and(eq(alertDeliveries.ruleId, rule.id), eq(alertDeliveries.kind, "test")));
    expect(tests.map((t) => t.status).sort()).toEqual(["failed", "failed", "sent"]);
  });

  it("refuses bad input and stores nothing: no condition, a bad address, a non-Slack URL when only Slack is allowed", async () => {
    const { db } = ctx.get();
    const hubId = suite.world.hub.id;
    await expect(createAlertRule(actor(), hubId, { name: "x", conditions: [], mode: "immediate", digestHour: 7 })).rejects.toMatchObject({ code: "invalid:alert_rule", fieldErrors: { conditions: ["Choose at least one condition."] } });
    const rule = await createAlertRule(actor(), hubId, { name: "Strict", conditions: ["number_stuck"], mode: "immediate", digestHour: 7 });
    await expect(addAlertDestination(actor(), rule.id, { kind: "email", target: "not-an-address" })).rejects.toMatchObject({ fieldErrors: { target: ["Enter an email address."] } });
    process.env.ALERTS_SLACK_ANY_URL = "false";
    resetEnvForTests();
    try {
      await expect(addAlertDestination(actor(), rule.id, { kind: "slack", target: `${slackBase}/services/x` })).rejects.toMatchObject({ code: "invalid:alert_destination" });
      await expect(addAlertDestination(actor(), rule.id, { kind: "slack", target: "https://hooks.slack.com/services/T1/B1/abc" })).resolves.toMatchObject({ kind: "slack" });
    } finally {
      process.env.ALERTS_SLACK_ANY_URL = "true";
      resetEnvForTests();
    }
    expect(await db.select().from(alertDestinations).where(eq(alertDestinations.ruleId, rule.id))).toHaveLength(1);
  });
});
