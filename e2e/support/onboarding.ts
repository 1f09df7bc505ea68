import { randomBytes } from "node:crypto";
import { expect, type APIRequestContext, type BrowserContext, type Locator, type Page } from "@playwright/test";

// Helpers of the client-onboarding specs: the sandbox's control API (the 360dialog side), the staff UI (the
// portal side: hubs, onboarding settings, invites, and the Clients/Channels pages that show what the database
// holds), and the sandbox's IO pages. Nothing here touches the portal's database directly.

/** The sandbox the portal started beside itself, on the Connect Button's port. */
export const SANDBOX = "http://localhost:8082";
export const SANDBOX_HUB = "Sandbox";

export const LANDING = {
  en: { title: "Connect your WhatsApp number", action: "Connect WhatsApp" },
  de: { title: "Verbinden Sie Ihre WhatsApp-Nummer", action: "WhatsApp verbinden" },
  es: { title: "Conecte su número de WhatsApp", action: "Conectar WhatsApp" },
  "pt-BR": { title: "Conecte seu número de WhatsApp", action: "Conectar o WhatsApp" },
} as const;

/** The status page's live badge once its stream is open. */
export const LIVE = { en: "Live", de: "Live", es: "En vivo", "pt-BR": "Ao vivo" } as const;

export const STATUS_TITLE = { en: "Your WhatsApp setup", de: "Ihre WhatsApp-Einrichtung", es: "La configuración de su WhatsApp", "pt-BR": "A configuração do seu WhatsApp" } as const;

export function suffix(): string {
  return randomBytes(3).toString("hex");
}

/** A phone number no other test uses (sandbox numbers are not unique, the search is easier when they are). */
export function uniquePhone(): string {
  return `+4915${Date.now().toString().slice(-6)}${Math.floor(Math.random() * 90 + 10)}`;
}

// --- sandbox (360dialog side) ---------------------------------------------------------------------------

export type SandboxPartner = {
  id: string;
  name?: string;
  apiKey: string;
  platformSecret: string;
  paymentMode?: "partner" | "direct";
  ioSignature?: { enabled: boolean; encoding: "hex" | "base64" };
  /** Per partner; null = the sandbox-wide timing. */
  lifecycleDelayMs?: number | null;
};

/** The sandbox's default partner, behind the portal's "Sandbox" hub (sandbox/README.md publishes these). */
export const SANDBOX_PARTNER = { id: "sandboxPA", apiKey: "sandbox-partner-key", platformSecret: "sandbox-platform-secret" } as const;

/** Creates or updates a partner at the sandbox (fields left out keep their value). */
export async function seedSandboxPartner(request: APIRequestContext, partner: SandboxPartner): Promise<void> {
  const res = await request.post(`${SANDBOX}/_sandbox/partners`, { data: partner });
  expect(res.status(), await res.text()).toBeLessThan(300);
}

export type SandboxChannel = { id: string; partner_id: string; client_id: string; permitted: boolean; setup_info: { phone_number: string } };
export type SandboxState = { channels: SandboxChannel[] };

export async function sandboxState(request: APIRequestContext): Promise<SandboxState> {
  return (await (await request.get(`${SANDBOX}/_sandbox/state`)).json()) as SandboxState;
}

/** A client with one number at the sandbox, made without any browser (the partner's existing client). */
export async function onboardAtSandbox(
  request: APIRequestContext,
  input: { partnerId: string; email: string; phoneNumber: string; permission?: boolean },
): Promise<{ clientId: string; channelIds: string[] }> {
  const res = await request.post(`${SANDBOX}/_sandbox/onboard`, {
    data: { name: "Existing Client", companyName: "Existing Client GmbH", ...input },
  });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return (await res.json()) as { clientId: string; channelIds: string[] };
}

// --- portal staff UI ------------------------------------------------------------------------------------

export type HubOptions = {
  ioSignature?: "off" | "hex" | "base64";
  paymentMode?: "partner" | "direct";
  openSignup?: boolean;
};

async function fillHubOptions(form: Locator, options: HubOptions): Promise<void> {
  if (options.paymentMode) await form.getByLabel("Payment mode").selectOption(options.paymentMode);
  if (options.ioSignature) await form.getByLabel("IO Signature").selectOption(options.ioSignature);
  if (options.openSignup !== undefined) await form.getByRole("checkbox", { name: /Open signup/ }).setChecked(options.openSignup);
}

function hubCard(page: Page, partnerId: string): Locator {
  return page.getByRole("main").locator("section").filter({ hasText: `Partner ID ${partnerId}` });
}

/** Adds a hub on the sandbox through Settings → Add a hub (the partner must exist at the sandbox). */
export async function addSandboxHub(admin: Page, partner: SandboxPartner, options: HubOptions & { name: string }): Promise<void> {
  await admin.goto("/dashboard/settings?new=1");
  const form = admin.getByRole("main").locator("form").first();
  await form.getByLabel("Name", { exact: true }).fill(options.name);
  await form.getByLabel("Partner ID").fill(partner.id);
  await fillHubOptions(form, options);
  await form.getByLabel("Partner API key").fill(partner.apiKey);
  await form.getByLabel("Platform secret").fill(partner.platformSecret);
  await admin.getByText("360dialog URLs (change only for staging hubs)").click();
  await form.getByLabel("Partner API base URL").fill(SANDBOX);
  await form.getByLabel("Onboarding (IO) base URL").fill(`${SANDBOX}/dashboard/app`);
  await form.getByLabel("Messaging API base URL").fill(SANDBOX);
  await form.getByRole("button", { name: "Save hub" }).click();
  await expect(admin.getByRole("main").getByRole("status").first()).toContainText("Hub settings saved.");
  await expect(hubCard(admin, partner.id)).toBeVisible();
}

/** Changes a hub through Settings → Edit <hub> (the hub form: payment mode, IO Signature, open signup). */
export async function editHub(admin: Page, hubName: string, options: HubOptions): Promise<void> {
  await admin.goto("/dashboard/settings");
  await admin.getByRole("link", { name: `Edit ${hubName}`, exact: true }).click();
  await expect(admin.getByRole("heading", { name: `Edit ${hubName}` })).toBeVisible();
  const form = admin.getByRole("main").locator("form").first();
  await fillHubOptions(form, options);
  await form.getByRole("button", { name: "Save hub" }).click();
  await expect(admin.getByRole("main").getByRole("status").first()).toContainText("Hub settings saved.");
}

export type OnboardingOptions = {
  trigger?: "connect_button" | "popup";
  brandName?: string;
  accentColor?: string;
  defaultLang?: "en" | "de" | "es" | "pt-BR";
  solutionId?: string;
  metaAppId?: string;
  configId?: string;
};

/** Settings → Onboarding settings of <hub> (admin). */
export async function setOnboarding(admin: Page, hubName: string, options: OnboardingOptions): Promise<void> {
  await admin.goto("/dashboard/settings");
  await admin.getByRole("link", { name: `Onboarding settings of ${hubName}`, exact: true }).click();
  await expect(admin.getByRole("heading", { name: `Onboarding settings of ${hubName}` })).toBeVisible();
  const form = admin.getByRole("main").locator("form").first();
  if (options.trigger) await form.getByLabel(options.trigger === "connect_button" ? "Official Connect Button" : "Portal popup").check();
  if (options.brandName !== undefined) await form.getByLabel("Brand name").fill(options.brandName);
  if (options.accentColor !== undefined) await form.getByRole("textbox", { name: "Accent colour" }).fill(options.accentColor);
  if (options.defaultLang) await form.getByLabel("Default language").selectOption(options.defaultLang);
  if (options.solutionId !== undefined) await form.getByLabel("Solution ID").fill(options.solutionId);
  if (options.metaAppId !== undefined) await form.getByLabel("Meta app ID").fill(options.metaAppId);
  if (options.configId !== undefined) await form.getByLabel("Configuration ID").fill(options.configId);
  await form.getByRole("button", { name: "Save onboarding settings" }).click();
  await expect(admin.getByRole("main").getByRole("status").first()).toContainText("Onboarding settings saved.");
}

export type InviteOptions = {
  hubName?: string;
  label: string;
  purpose?: "new_number" | "permission";
  email?: string;
  name?: string;
  number?: string;
  lang?: "en" | "de";
  maxUses?: number;
  /** Permission requests: the 360dialog client the request is for. */
  clientId?: string;
};

/** Invites → Create an invite link; returns the /join link shown once. */
export async function createInvite(admin: Page, options: InviteOptions): Promise<string> {
  await admin.goto("/dashboard/invites");
  const form = admin.locator("form").filter({ has: admin.getByRole("button", { name: "Create invite link" }) });
  const hubSelect = form.getByLabel("Hub", { exact: true });
  if (options.hubName && (await hubSelect.count()) > 0) await hubSelect.selectOption({ label: options.hubName });
  await form.getByLabel("Label").fill(options.label);
  await form.getByLabel(options.purpose === "permission" ? "Permission request" : "New number").check();
  if (options.email) await form.getByLabel("Email").fill(options.email);
  if (options.name) await form.getByLabel("Name", { exact: true }).fill(options.name);
  if (options.number) await form.getByLabel("Phone number").fill(options.number);
  if (options.lang) await form.getByLabel("Language").selectOption(options.lang);
  if (options.maxUses) await form.getByLabel("Use limit").fill(String(options.maxUses));
  if (options.clientId) await form.getByLabel("360dialog client ID").fill(options.clientId);
  await form.getByRole("button", { name: "Create invite link" }).click();
  const link = admin.getByTestId("invite-link");
  await expect(link).toBeVisible();
  return (await link.innerText()).trim();
}

/** The invite's row in the staff list (by its label). */
export async function inviteRow(admin: Page, label: string): Promise<Locator> {
  await admin.goto("/dashboard/invites");
  return admin.getByTestId("invite-row").filter({ hasText: label });
}

/** The channel's row on the staff Channels page, searched by its 360dialog id. */
export async function channelRow(admin: Page, channelId: string): Promise<Locator> {
  await admin.goto(`/dashboard/channels?q=${encodeURIComponent(channelId)}`);
  return admin.getByRole("main").getByRole("row").filter({ hasText: channelId });
}

/** How many channels the staff Channels page finds for a search (0 when the empty state shows). */
export async function channelCount(admin: Page, q: string): Promise<number> {
  await admin.goto(`/dashboard/channels?q=${encodeURIComponent(q)}`);
  await expect(admin.getByRole("heading", { name: "Channels", level: 1 })).toBeVisible();
  return admin.getByRole("main").locator("tbody tr").count();
}

/** How many clients the staff Clients page finds for a search. */
export async function clientCount(admin: Page, q: string): Promise<number> {
  await admin.goto(`/dashboard/clients?q=${encodeURIComponent(q)}`);
  await expect(admin.getByRole("heading", { name: "Clients", level: 1 })).toBeVisible();
  return admin.getByRole("main").locator("tbody tr").count();
}

/**
 * The "Onboarding sessions and invites" card of the client with this email (Clients → the client), once a
 * webhook or the redirect made the client known to the portal.
 */
export async function clientOnboarding(admin: Page, email: string): Promise<Locator> {
  await expect.poll(() => clientCount(admin, email), { timeout: 20_000, message: `the portal knows the client ${email}` }).toBe(1);
  await admin.getByRole("main").locator("tbody tr").first().getByRole("link").first().click();
  const card = admin.locator("section").filter({ has: admin.getByRole("heading", { name: "Onboarding sessions and invites" }) });
  await expect(card).toBeVisible();
  return card;
}

export const NOT_ONBOARDED_HERE = "This client was not onboarded through the portal";

/** Settings → Register webhook and redirect URLs of the sandbox hub: its webhooks reach this portal. */
export async function registerSandboxWebhooks(admin: Page): Promise<void> {
  await admin.goto("/dashboard/settings");
  await admin.getByRole("button", { name: `Register webhook and redirect URLs of ${SANDBOX_HUB}` }).click();
  await expect(admin.getByRole("main").getByRole("status").filter({ hasText: "Webhook and redirect URLs registered" })).toBeVisible();
}

// --- the client's browser ---------------------------------------------------------------------------------

export type IoDetails = { email: string; fullName: string; company: string; phone: string };

/** Goes through the sandbox's signup and (simulated) Embedded Signup pages; the last click leaves the sandbox. */
export async function finishSandboxSignup(popup: Page, details: IoDetails): Promise<void> {
  await expect(popup.getByRole("heading", { name: "Create your 360dialog account" })).toBeVisible();
  await popup.getByLabel("Email").fill(details.email);
  await popup.getByLabel("Full name").fill(details.fullName);
  await popup.getByLabel("Company name").fill(details.company);
  await popup.getByRole("button", { name: "Create account" }).click();
  await expect(popup.getByRole("heading", { name: "Connect your WhatsApp number" })).toBeVisible();
  await popup.getByLabel("Phone number").fill(details.phone);
  await popup.getByRole("button", { name: "Continue" }).click();
}

/** Clicks the page's one action and returns the popup it opens (the portal's own or the Connect Button's). */
export async function openConnectPopup(page: Page, name: string | RegExp = LANDING.en.action): Promise<Page> {
  const popupPromise = page.waitForEvent("popup");
  await page.getByRole("button", { name }).click();
  const popup = await popupPromise;
  await popup.waitForURL(/localhost:8082\//);
  return popup;
}

/** The status page the client lands on, with the number shown masked to its last four digits. */
export async function expectStatusPage(page: Page, phone: string, lang: keyof typeof STATUS_TITLE = "en"): Promise<void> {
  // The hand-off runs through the sandbox's redirect and the portal's session check: give a loaded machine time.
  await expect(page).toHaveURL(/\/onboarding\/status\/[A-Za-z0-9_-]{43}$/, { timeout: 20_000 });
  await expect(page.getByRole("heading", { name: STATUS_TITLE[lang], level: 1 })).toBeVisible();
  await expect(page.getByTestId("status-number").first()).toContainText(phone.slice(-4));
  await expect(page.getByTestId("status-number").first()).not.toContainText(phone.slice(0, -4));
  await expect(page.getByRole("status").filter({ hasText: new RegExp(`^${LIVE[lang]}$`) })).toBeVisible();
}

/** The channel the sandbox made for this number. */
export async function sandboxChannelFor(request: APIRequestContext, phone: string): Promise<SandboxChannel> {
  const state = await sandboxState(request);
  const channel = state.channels.find((c) => c.setup_info.phone_number === phone);
  expect(channel, `the sandbox has a channel for ${phone}`).toBeTruthy();
  return channel!;
}

/** Every top-level navigation of every page of a context, to assert the browser never left the portal. */
export function recordNavigations(context: BrowserContext): string[] {
  const seen: string[] = [];
  const watch = (page: Page) => page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame() && frame.url() !== "about:blank") seen.push(frame.url());
  });
  context.pages().forEach(watch);
  context.on("page", watch);
  return seen;
}
