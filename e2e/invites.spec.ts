import { randomBytes, randomInt } from "node:crypto";
import type { BrowserContext, BrowserContextOptions, Locator, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { LANDING } from "./support/onboarding";
import { MESSAGES, createUser, firstSignIn, pageAlert, uniqueEmail, type Role } from "./support/portal";
import { recordServerAction, replayServerAction } from "./support/server-action";

// Invite links from the staff side: creating (link, QR code and direct link shown once), following progress,
// revoking, who may do what, and the per-hub onboarding settings. The sandbox hub (IO Signature off) backs it.

const SANDBOX = "http://localhost:8082";
const SANDBOX_PARTNER = { id: "sandboxPA", apiKey: "sandbox-partner-key" } as const;
const TOKEN_LINK = /\/join\/([A-Za-z0-9_-]{43})$/;

type NewContext = (options?: BrowserContextOptions) => Promise<BrowserContext>;

/** A fresh staff user of `role`, signed in in a context of its own. */
async function staffPage(adminPage: Page, newContext: NewContext, role: Role, options: BrowserContextOptions = {}): Promise<Page> {
  const email = uniqueEmail(`invites-${role}`);
  const oneTimePassword = await createUser(adminPage, { email, role, method: "password" });
  const page = await (await newContext(options)).newPage();
  await firstSignIn(page, email, oneTimePassword);
  return page;
}

const uniqueLabel = (prefix: string) => `${prefix} ${randomBytes(4).toString("hex")}`;

function createForm(page: Page): Locator {
  return page.getByRole("main").locator("form").filter({ has: page.getByRole("button", { name: "Create invite link" }) });
}

function inviteRow(page: Page, label: string): Locator {
  return page.getByTestId("invite-row").filter({ hasText: label });
}

type InviteFields = { label: string; email?: string; name?: string; number?: string; plan?: string; payload?: string; lang?: "English" | "Deutsch"; maxUses?: string; purpose?: "New number" | "Permission request" };

async function fillInvite(page: Page, fields: InviteFields): Promise<void> {
  await page.goto("/dashboard/invites");
  const form = createForm(page);
  // Other specs may have added hubs; the select only exists when there is more than one.
  const hub = form.getByLabel("Hub", { exact: true });
  if ((await hub.count()) > 0) await hub.selectOption({ label: "Sandbox" });
  await form.getByLabel("Label", { exact: true }).fill(fields.label);
  await form.getByRole("radio", { name: fields.purpose ?? "New number", exact: true }).check();
  if (fields.email) await form.getByLabel("Email", { exact: true }).fill(fields.email);
  if (fields.name) await form.getByLabel("Name", { exact: true }).fill(fields.name);
  if (fields.number) await form.getByLabel("Phone number", { exact: true }).fill(fields.number);
  if (fields.plan) await form.getByLabel("Plan", { exact: true }).fill(fields.plan);
  if (fields.payload) await form.getByLabel("Partner payload / CRM id", { exact: true }).fill(fields.payload);
  if (fields.lang) await form.getByLabel("Language", { exact: true }).selectOption({ label: fields.lang });
  if (fields.maxUses) await form.getByLabel("Use limit", { exact: true }).fill(fields.maxUses);
}

/** Creates an invite from the page's form and returns the link shown once. */
async function createInvite(page: Page, fields: InviteFields): Promise<string> {
  await fillInvite(page, fields);
  await createForm(page).getByRole("button", { name: "Create invite link" }).click();
  const issued = page.getByRole("region", { name: "New invite link" });
  await expect(issued.getByTestId("invite-link")).toBeVisible();
  return (await issued.getByTestId("invite-link").innerText()).trim();
}

/** What the /join page's button does: starts an onboarding from the invite (anonymous, same origin). */
async function startFromInvite(page: Page, baseURL: string, token: string) {
  const response = await page.context().request.post("/api/onboarding/sessions", { headers: { origin: baseURL }, data: { inviteToken: token, method: "popup" } });
  return { status: response.status(), body: (await response.json()) as { state?: string; code?: string; detail?: string } };
}

test("an operator creates a prefilled invite: link, QR code and direct link are shown once, and the list shows it active", async ({ adminPage, newContext, baseURL }) => {
  const page = await staffPage(adminPage, newContext, "operator", { permissions: ["clipboard-read", "clipboard-write"] });
  const label = uniqueLabel("Acme GmbH");
  const link = await createInvite(page, {
    label,
    email: "ana@acme.example",
    name: "Ana Acme",
    number: "+49 151 2345 6789",
    plan: "premium",
    payload: "crm-4711",
    lang: "Deutsch",
    maxUses: "3",
  });
  expect(link.startsWith(`${baseURL}/join/`), link).toBe(true);
  const token = TOKEN_LINK.exec(link)?.[1];
  expect(token).toBeTruthy();
  await expect(pageAlert(page)).toHaveCount(0);
  await expect(page.getByRole("main").getByRole("status").filter({ hasText: `Invite link created for ${label}.` })).toContainText("it is shown only once");

  const issued = page.getByRole("region", { name: "New invite link" });
  await issued.getByRole("button", { name: "Copy link" }).click();
  await expect(issued.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);

  // The QR code: an SVG made on the server, shown as an image (never inserted as markup), allowed by the CSP.
  const qr = issued.getByRole("img", { name: "QR code of the invite link" });
  await expect(qr).toBeVisible();
  const src = (await qr.getAttribute("src")) ?? "";
  expect(src.startsWith("data:image/svg+xml;base64,")).toBe(true);
  const svg = Buffer.from(src.slice(src.indexOf(",") + 1), "base64").toString("utf8");
  expect(svg).toMatch(/^<svg [^>]*>(<path [^>]*\/>)+<\/svg>\s*$/);
  expect(svg).not.toContain(token!);
  expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  expect(await issued.locator("svg").count()).toBe(0);

  // IO Signature is off on the sandbox hub, so the raw 360dialog link is offered too, with the prefill.
  await expect(issued.getByText("Direct 360dialog link (no tracking)", { exact: true })).toBeVisible();
  const rawDirect = (await issued.getByTestId("direct-link").innerText()).trim();
  const direct = new URL(rawDirect);
  expect(`${direct.origin}${direct.pathname}`).toBe(`${SANDBOX}/dashboard/app/${SANDBOX_PARTNER.id}`);
  // docs/hub-contract.md §1.2: `number` goes first and unencoded, as the Connect Button package sends it.
  expect(rawDirect).toContain("?number=+4915123456789&");
  expect(Object.fromEntries(direct.searchParams)).toMatchObject({ email: "ana@acme.example", plan_selection: "premium", partner: "crm-4711", lang: "de" });
  expect(direct.searchParams.has("state")).toBe(false);
  expect(direct.searchParams.has("io_signature")).toBe(false);

  const row = inviteRow(page, label);
  await expect(row).toContainText("Ana Acme · ana@acme.example · +4915123456789 · plan premium · CRM crm-4711 · Deutsch");
  await expect(row).toContainText("New number");
  await expect(row.getByText("Active", { exact: true })).toBeVisible();
  await expect(row).toContainText("0 of 3");
  await expect(row).toContainText("Not opened yet");
  await expect(row).toContainText("No client yet");
  await expect(row.getByRole("button", { name: "Revoke" })).toBeVisible();

  // Shown once: after a reload the link is nowhere on the page, not even in the HTML.
  await page.reload();
  await expect(inviteRow(page, label)).toBeVisible();
  await expect(page.getByRole("region", { name: "New invite link" })).toHaveCount(0);
  expect(await page.content()).not.toContain(token!);

  await inviteRow(page, label).getByRole("link", { name: label }).click();
  await expect(page.getByRole("heading", { name: label, level: 1 })).toBeVisible();
  await expect(page.getByText("Nobody has opened the link yet.")).toBeVisible();
  await expect(page.getByText("No onboarding started yet")).toBeVisible();
  await expect(page.getByRole("main")).toContainText("Partner payload / CRM id");
  await expect(page.getByRole("main")).toContainText("crm-4711");
  expect(await page.content()).not.toContain(token!);
});

test("a prospect opening the link shows as opened in the list and “Link opened” on the invite", async ({ adminPage, newContext }) => {
  const label = uniqueLabel("Opened");
  const link = await createInvite(adminPage, { label });
  // An Argentinian browser reads the invite in Spanish (es-AR → es), then switches to Brazilian Portuguese.
  const prospect = await (await newContext({ locale: "es-AR" })).newPage();
  const response = await prospect.goto(link);
  expect(response?.status()).toBe(200);
  await expect(prospect.getByRole("heading", { name: LANDING.es.title, level: 1 })).toBeVisible();
  await expect(prospect.getByRole("button", { name: LANDING.es.action })).toBeVisible();
  await prospect.getByRole("navigation", { name: "Idioma" }).getByRole("link", { name: "Português (Brasil)" }).click();
  await expect(prospect.getByRole("main")).toHaveAttribute("lang", "pt-BR");
  await expect(prospect.getByRole("heading", { name: LANDING["pt-BR"].title, level: 1 })).toBeVisible();
  await expect(prospect.getByRole("button", { name: LANDING["pt-BR"].action })).toBeVisible();
  await adminPage.goto("/dashboard/invites");
  // The list shows the latest step: the opening itself, or the page view the /join page reports right after.
  const row = inviteRow(adminPage, label);
  await expect(row).toContainText(/Link opened|Landing page viewed/);
  await expect(row).not.toContainText("Not opened yet");
  await expect(row.getByText("Active", { exact: true })).toBeVisible();
  await expect(row).toContainText("0 (no limit)");
  await row.getByRole("link", { name: label }).click();
  await expect(adminPage.getByRole("list", { name: "Link activity" }).getByRole("listitem").first()).toContainText("Link opened");
});

test("starting from the link and finishing shows each step; after a second click on Revoke the link refuses", async ({ adminPage, newContext, baseURL }) => {
  const page = await staffPage(adminPage, newContext, "operator");
  const label = uniqueLabel("Journey");
  const token = TOKEN_LINK.exec(await createInvite(page, { label, maxUses: "2" }))![1]!;

  // The prospect starts (as the /join page does) and 360dialog sends them back with a client and a number.
  const prospect = await (await newContext()).newPage();
  const started = await startFromInvite(prospect, baseURL!, token);
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  await page.goto("/dashboard/invites");
  await expect(inviteRow(page, label)).toContainText("Popup opened");
  await expect(inviteRow(page, label)).toContainText("1 of 2");

  const phone = `+49151${randomInt(10_000_000, 99_999_999)}`;
  const onboarded = (await (await prospect.request.post(`${SANDBOX}/_sandbox/onboard`, { data: { partnerId: SANDBOX_PARTNER.id, phoneNumber: phone } })).json()) as { clientId: string; channelIds: string[] };
  const query = `client=${onboarded.clientId}&channels=[${onboarded.channelIds.join(",")}]&state=${started.body.state}`;
  const completed = await prospect.context().request.post("/api/onboarding/complete", { headers: { origin: baseURL! }, data: { query } });
  expect(completed.status(), await completed.text()).toBe(200);

  await page.goto("/dashboard/invites");
  const row = inviteRow(page, label);
  // The row shows the newest step; the sandbox may already have moved the number on and its key been stored.
  await expect(row).toContainText(/Channel (created|running)|API key stored/);
  await expect(row).toContainText("Client linked · 1 channel");

  await row.getByRole("link", { name: label }).click();
  const session = page.getByRole("region", { name: "Session 1" });
  await expect(session).toContainText("Portal popup");
  await expect(session).toContainText("Completed: client and numbers linked");
  const steps = session.getByRole("list", { name: "Steps of session 1" }).getByRole("listitem");
  await expect(steps.nth(0)).toContainText("Popup opened (Portal popup)");
  await expect(steps.nth(1)).toContainText("Redirect received (1 number)");
  await expect(steps.nth(2)).toContainText("Client confirmed");
  await expect(steps.nth(3)).toContainText(`Channel created: ${onboarded.channelIds[0]}`);
  await expect(steps.nth(0)).toContainText(/\d{2}:\d{2}:\d{2}/);
  await session.getByRole("link").click();
  await expect(page).toHaveURL(/\/dashboard\/clients\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("main")).toContainText(onboarded.clientId);

  // Revoke takes two clicks; the first alone changes nothing.
  await page.goto("/dashboard/invites");
  await inviteRow(page, label).getByRole("button", { name: "Revoke" }).click();
  await inviteRow(page, label).getByRole("button", { name: "Cancel" }).click();
  await page.reload();
  await expect(inviteRow(page, label).getByText("Active", { exact: true })).toBeVisible();
  await inviteRow(page, label).getByRole("button", { name: "Revoke" }).click();
  await inviteRow(page, label).getByRole("button", { name: "Confirm revoke" }).click();
  await expect(inviteRow(page, label).getByText("Revoked", { exact: true })).toBeVisible();
  await expect(inviteRow(page, label).getByRole("button", { name: "Revoke" })).toHaveCount(0);

  const refused = await startFromInvite(await (await newContext()).newPage(), baseURL!, token);
  expect(refused.status).toBe(403);
  expect(refused.body).toMatchObject({ code: "forbidden:invite_revoked", detail: "This invite link is no longer active. Please ask your provider for a new one." });
  const late = await (await newContext()).newPage();
  await late.goto(`/join/${token}`);
  await expect(late.getByText("This invite link is no longer active.")).toBeVisible();
  await inviteRow(page, label).getByRole("link", { name: label }).click();
  await expect(page.getByRole("main")).toContainText(/Revoked\s*since/);
  await expect(page.getByRole("main")).toContainText("1 of 2");
});

test("a viewer sees invites read-only and a create request replayed from the viewer's session is refused", async ({ adminPage, newContext }) => {
  const operator = await staffPage(adminPage, newContext, "operator");
  const label = uniqueLabel("Replayed");
  await fillInvite(operator, { label, email: "replay@acme.example" });
  const create = await recordServerAction(operator, () => createForm(operator).getByRole("button", { name: "Create invite link" }).click());
  await expect(operator.getByRole("region", { name: "New invite link" })).toBeVisible();

  const viewer = await staffPage(adminPage, newContext, "viewer");
  await viewer.goto("/dashboard/invites");
  await expect(inviteRow(viewer, label)).toContainText("replay@acme.example");
  await expect(viewer.getByRole("button", { name: "Create invite link" })).toHaveCount(0);
  await expect(viewer.getByLabel("Label", { exact: true })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Revoke" })).toHaveCount(0);
  await expect(viewer.getByText("Your role can see invites; operators and admins create and revoke them.")).toBeVisible();

  const asViewer = await replayServerAction(viewer.context().request, create);
  expect(asViewer.text).toContain(MESSAGES.roleRefused);
  expect(asViewer.text).not.toContain("/join/");
  await viewer.reload();
  await expect(inviteRow(viewer, label)).toHaveCount(1);

  // Control: the very same request from the operator's session does create one, so the refusal is real.
  const asOperator = await replayServerAction(operator.context().request, create);
  expect(asOperator.text).toMatch(/\/join\/[A-Za-z0-9_-]{43}/);
  await viewer.reload();
  await expect(inviteRow(viewer, label)).toHaveCount(2);

  // Onboarding settings are for admins.
  await adminPage.goto("/dashboard/settings");
  const href = await adminPage.getByRole("link", { name: "Onboarding settings of Sandbox" }).getAttribute("href");
  expect((await viewer.goto(href!))?.status()).toBe(403);
  expect((await operator.goto(href!))?.status()).toBe(403);
});

test("onboarding settings: field errors for a bad colour and logo URL, then the Connect Button trigger is saved", async ({ adminPage: page }) => {
  await page.goto("/dashboard/settings");
  await page.getByRole("link", { name: "Onboarding settings of Sandbox" }).click();
  await expect(page.getByRole("heading", { name: "Onboarding settings of Sandbox", level: 1 })).toBeVisible();
  const main = page.getByRole("main");
  await expect(main).toContainText("Open signup:");
  await expect(main).toContainText("Anyone may start onboarding from the start page.");
  await expect(main.getByRole("link", { name: "Change in the hub settings" })).toHaveAttribute("href", /\/dashboard\/settings\?edit=[0-9a-f-]{36}$/);

  const form = main.locator("form").filter({ has: page.getByRole("button", { name: "Save onboarding settings" }) });
  const field = (label: string) => form.getByLabel(label, { exact: true });
  const original = {
    trigger: (await form.getByRole("radio", { name: "Official Connect Button", exact: true }).isChecked()) ? "Official Connect Button" : "Portal popup",
    brandName: await field("Brand name").inputValue(),
    logoUrl: await field("Logo URL").inputValue(),
    accentColor: await field("Accent colour").inputValue(),
    solutionId: await field("Solution ID").inputValue(),
  };
  const sandboxPartner = async () =>
    ((await (await page.request.get(`${SANDBOX}/_sandbox/state`)).json()) as { partners: { id: string; accountSharing: { solutionId: string | null } }[] }).partners.find((p) => p.id === SANDBOX_PARTNER.id)!;
  const sharedBefore = (await sandboxPartner()).accountSharing.solutionId;

  await field("Accent colour").fill("green");
  await field("Logo URL").fill("javascript:alert(1)");
  await form.getByRole("button", { name: "Save onboarding settings" }).click();
  await expect(pageAlert(page)).toContainText("Please correct the highlighted fields.");
  await expect(field("Accent colour")).toHaveAttribute("aria-invalid", "true");
  await expect(form).toContainText("Use a colour like #0b6e4c.");
  await expect(field("Logo URL")).toHaveAttribute("aria-invalid", "true");
  await expect(form).toContainText("A full https:// address of an image (http:// only for localhost).");
  await expect(field("Accent colour")).toHaveValue("green");

  await field("Accent colour").fill("#1A2B3C");
  await field("Logo URL").fill("");
  await field("Brand name").fill("Invite Spec Brand");
  await form.getByRole("radio", { name: "Official Connect Button", exact: true }).check();
  await field("Solution ID").fill("555666777888999");
  await form.getByRole("button", { name: "Save onboarding settings" }).click();
  await expect(main.getByRole("status").filter({ hasText: "Onboarding settings saved." })).toBeVisible();
  await page.reload();
  await expect(form.getByRole("radio", { name: "Official Connect Button", exact: true })).toBeChecked();
  await expect(field("Accent colour")).toHaveValue("#1A2B3C");
  await expect(field("Brand name")).toHaveValue("Invite Spec Brand");

  // Activation sends the saved Solution ID to the hub (the sandbox shows what it holds).
  await main.getByRole("button", { name: "Activate Embedded Signup at 360dialog" }).click();
  await expect(main.getByRole("status").filter({ hasText: "Embedded Signup activated at 360dialog for Solution ID 555666777888999." })).toBeVisible();
  expect((await sandboxPartner()).accountSharing.solutionId).toBe("555666777888999");

  // Leave the hub as it was for the other specs.
  await form.getByRole("radio", { name: original.trigger, exact: true }).check();
  await field("Brand name").fill(original.brandName);
  await field("Logo URL").fill(original.logoUrl);
  await field("Accent colour").fill(original.accentColor);
  await field("Solution ID").fill(original.solutionId);
  await form.getByRole("button", { name: "Save onboarding settings" }).click();
  await expect(main.getByRole("status").filter({ hasText: "Onboarding settings saved." })).toBeVisible();
  const restored = await page.request.patch(`${SANDBOX}/api/v2/partners/${SANDBOX_PARTNER.id}/settings/account_sharing`, {
    headers: { "X-API-Key": SANDBOX_PARTNER.apiKey },
    data: { solution_id: sharedBefore, business_manager_id: null },
  });
  expect(restored.status()).toBe(200);
});
