import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "./support/fixtures";
import { waitForMail } from "./support/mail";
import { SANDBOX, SANDBOX_HUB, registerSandboxWebhooks } from "./support/onboarding";

// Staff alerts (docs/alerts.md) as an admin meets them: a rule with an email and a Slack destination, "Send test"
// answering what really happened (the mail at the run's SMTP server, the post at a Slack stand-in this spec
// starts), then a template rejected through the sandbox's WABA webhook alerting by mail with a link that opens the
// template.

test.describe.configure({ mode: "serial" });

test("an admin sets an alert rule, tests its destinations, and a rejected template alerts by mail and Slack", async ({ adminPage: page }) => {
  test.setTimeout(150_000);
  const posts: { path: string; text: string }[] = [];
  const slack = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      posts.push({ path: req.url ?? "", text: String((JSON.parse(raw || "{}") as { text?: unknown }).text ?? "") });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => slack.listen(0, "127.0.0.1", resolve));
  try {
    const stamp = Date.now().toString().slice(-7);
    const to = `alerts-${stamp}@e2e.test`;
    const hookPath = `/services/T0/B0/e2e${stamp}`;
    const hookUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}${hookPath}`;
    const ruleName = `Templates ${stamp}`;

    // The rule, from Settings.
    await page.goto("/dashboard/settings");
    await page.getByRole("link", { name: "Alerts" }).click();
    await expect(page.getByRole("heading", { name: "Alerts" })).toBeVisible();
    const create = page.getByRole("form", { name: "New alert rule" });
    await create.getByLabel("Hub").selectOption({ label: SANDBOX_HUB });
    await create.getByLabel("Name").fill(ruleName);
    await create.getByLabel(/A template is rejected/).check();
    await create.getByLabel("At once, one message per alert").check();
    await create.getByRole("button", { name: "Create rule" }).click();
    await expect(create.getByText(`Rule "${ruleName}" created.`)).toBeVisible();

    const add = page.getByRole("form", { name: `Add a destination to ${ruleName}` });
    await add.getByLabel("Kind").selectOption("email");
    await add.getByLabel("Address or webhook URL").fill(to);
    await add.getByRole("button", { name: "Add destination" }).click();
    await expect(page.getByTestId("alert-destination").filter({ hasText: to })).toBeVisible();
    await add.getByLabel("Kind").selectOption("slack");
    await add.getByLabel("Address or webhook URL").fill(hookUrl);
    await add.getByRole("button", { name: "Add destination" }).click();
    const slackRow = page.getByTestId("alert-destination").filter({ hasText: `…${hookPath.slice(-4)}` });
    await expect(slackRow).toBeVisible();
    await expect(slackRow).not.toContainText(hookPath); // the webhook URL is a credential: never shown whole

    // Send test: the real outcome, and the mail and the post really arrive.
    const mailRow = page.getByTestId("alert-destination").filter({ hasText: to });
    await mailRow.getByRole("button", { name: `Send test to ${to}` }).click();
    await expect(mailRow.getByTestId("alert-test-outcome")).toHaveText(`Sent to ${to}: the SMTP server accepted it.`);
    expect((await waitForMail((m) => m.to.includes(to) && m.subject.includes("Test alert"))).text).toContain("Send test");
    await slackRow.getByRole("button", { name: /^Send test to Slack/ }).click();
    await expect(slackRow.getByTestId("alert-test-outcome")).toContainText("Slack answered 200");
    expect(posts.filter((p) => p.path === hookPath).map((p) => p.text)).toEqual([expect.stringContaining("Test alert from the partner portal")]);

    // A real trigger: a number onboarded in the sandbox, a template submitted, Meta's rejection through the WABA webhook.
    await page.request.post(`${SANDBOX}/_sandbox/faults`, { data: {} });
    await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { lifecycleDelayMs: 200, templateReviewDelayMs: -1 } });
    await registerSandboxWebhooks(page);
    const phone = `+49156${stamp}`;
    const onboard = await page.request.post(`${SANDBOX}/_sandbox/onboard`, { data: { partnerId: "sandboxPA", email: "alerts@example.com", name: "Alert GmbH", phoneNumber: phone } });
    expect(onboard.ok()).toBe(true);
    const external = ((await onboard.json()) as { channelIds: string[] }).channelIds[0]!;
    await page.goto("/dashboard/channels");
    const row = page.getByRole("row").filter({ hasText: external });
    await expect(row).toContainText("Stored ••••", { timeout: 45_000 });
    const channelId = (await row.getByRole("link", { name: phone }).getAttribute("href"))!.split("/").pop()!;
    await expect(async () => {
      await page.goto(`/dashboard/channels/${channelId}`);
      await expect(page.getByTestId("waba-webhook")).toContainText("Set", { timeout: 2_000 });
    }).toPass({ timeout: 30_000 });

    const name = `alert_reject_${stamp}`;
    await page.goto(`/dashboard/templates/new?channel=${channelId}`);
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Body", { exact: true }).fill("Hi {{1}}, your order {{2}} has shipped and is on its way to you.");
    await page.getByLabel("Sample for {{1}}").fill("Lena");
    await page.getByLabel("Sample for {{2}}").fill("A-1042");
    await page.getByRole("button", { name: "Submit for review" }).click();
    await expect(page).toHaveURL(/\/dashboard\/templates\/[0-9a-f-]{36}$/);
    const templatePath = new URL(page.url()).pathname;
    const state = (await (await page.request.get(`${SANDBOX}/_sandbox/state`)).json()) as { templates: { id: string; name: string }[] };
    const atHub = state.templates.find((t) => t.name === name)!;
    await page.request.post(`${SANDBOX}/_sandbox/templates/${atHub.id}/status`, { data: { status: "rejected", rejectedReason: "TAG_CONTENT_MISMATCH" } });

    const alert = await waitForMail((m) => m.to.includes(to) && m.subject === `[Alert] Template rejected: ${name} (en)`, 45_000);
    expect(alert.text).toContain("Reason: TAG_CONTENT_MISMATCH");
    const link = /Open: (\S+)/.exec(alert.text)?.[1];
    expect(link && new URL(link).pathname).toBe(templatePath);
    await expect.poll(() => posts.filter((p) => p.path === hookPath && p.text.includes(name)).length, { timeout: 30_000 }).toBe(1);
    await page.goto(link!);
    await expect(page.getByRole("heading", { name })).toBeVisible();

    // The history shows what went where.
    await expect(async () => {
      await page.goto("/dashboard/settings/alerts");
      const history = page.getByTestId("alert-history-row").filter({ hasText: name });
      await expect(history).toHaveCount(2, { timeout: 1_000 });
      await expect(history.filter({ hasText: to })).toContainText("Sent", { timeout: 1_000 });
      await expect(history.filter({ hasText: "Slack" })).toContainText("Sent", { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
  } finally {
    await new Promise<void>((resolve) => slack.close(() => resolve()));
  }
});
