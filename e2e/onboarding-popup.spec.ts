import type { APIRequestContext, BrowserContext, BrowserContextOptions, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import {
  LANDING,
  SANDBOX_PARTNER,
  STATUS_TITLE,
  channelRow,
  clientOnboarding,
  expectStatusPage,
  finishSandboxSignup,
  openConnectPopup,
  registerSandboxWebhooks,
  sandboxChannelFor,
  seedSandboxPartner,
  suffix,
  uniquePhone,
} from "./support/onboarding";

// The custom popup (custom IO): the Sandbox hub's default trigger, open signup on. The landing page opens a
// blank popup on the click, points it at the 360dialog URL of a fresh session, and the redirect page in the
// popup hands the query back (postMessage to our own origin) and closes.

test("the landing page explains the steps in English, German and Brazilian Portuguese and offers one action", async ({ newContext }) => {
  const page = await (await newContext({ locale: "en-GB" })).newPage();
  await page.goto("/");
  const main = page.getByRole("main");
  await expect(main).toHaveAttribute("lang", "en");
  await expect(main.getByRole("heading", { name: LANDING.en.title, level: 1 })).toBeVisible();
  await expect(main.getByText("can receive an SMS or a phone call")).toBeVisible();
  await expect(main.getByText("Facebook (Meta) login")).toBeVisible();
  await expect(main.getByText("About 10 minutes.", { exact: true })).toBeVisible();
  await expect(main.getByRole("button")).toHaveCount(1);
  await expect(main.getByRole("button", { name: LANDING.en.action })).toBeVisible();

  // The switch is a plain link; German is also what a German browser gets by itself.
  await page.getByRole("navigation", { name: "Language" }).getByRole("link", { name: "Deutsch" }).click();
  await expect(page).toHaveURL(/\?lang=de/);
  await expect(page.getByRole("main")).toHaveAttribute("lang", "de");
  await expect(page.getByRole("heading", { name: LANDING.de.title, level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: LANDING.de.action })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Sprache" }).getByText("Deutsch")).toHaveAttribute("aria-current", "page");

  // Brazilian Portuguese from the switcher, remembered for the plain address (docs/i18n.md §2).
  await page.getByRole("navigation", { name: "Sprache" }).getByRole("link", { name: "Português (Brasil)" }).click();
  await expect(page.getByRole("heading", { name: LANDING["pt-BR"].title, level: 1 })).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("main")).toHaveAttribute("lang", "pt-BR");
  await expect(page.getByText("Cerca de 10 minutos.", { exact: true })).toBeVisible();

  const german = await (await newContext({ locale: "de-DE" })).newPage();
  await german.goto("/");
  await expect(german.getByRole("heading", { name: LANDING.de.title, level: 1 })).toBeVisible();
  await expect(german.getByText("Eine Telefonnummer Ihres Unternehmens, die eine SMS oder einen Anruf empfangen kann")).toBeVisible();
  // A Portuguese browser gets the closest language there is.
  const portuguese = await (await newContext({ locale: "pt-PT" })).newPage();
  await portuguese.goto("/");
  await expect(portuguese.getByRole("heading", { name: LANDING["pt-BR"].title, level: 1 })).toBeVisible();
});

test("custom popup: the client connects a number and sees it on the status page, live; staff see it in Clients and Channels", async ({ newContext, adminPage, baseURL, request }) => {
  test.setTimeout(60_000);
  // Webhooks of the sandbox partner reach this portal (the status page then follows the number live), and its
  // numbers wait at "created" until this test moves them (whatever timing other tests gave the sandbox).
  await registerSandboxWebhooks(adminPage);
  await seedSandboxPartner(request, { ...SANDBOX_PARTNER, lifecycleDelayMs: 3_600_000 });
  try {
    await connectAndFollow({ newContext, adminPage, request, baseURL: baseURL! });
  } finally {
    await seedSandboxPartner(request, { ...SANDBOX_PARTNER, lifecycleDelayMs: null });
  }
});

type Fixtures = { newContext: (options?: BrowserContextOptions) => Promise<BrowserContext>; adminPage: Page; request: APIRequestContext; baseURL: string };

async function connectAndFollow({ newContext, adminPage, request, baseURL }: Fixtures): Promise<void> {
  // A Mexican browser: Spanish by its Accept-Language (es-MX → es), which 360dialog's form is not known to take.
  const context = await newContext({ locale: "es-MX" });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: LANDING.es.title, level: 1 })).toBeVisible();

  const popup = await openConnectPopup(page, LANDING.es.action);
  const io = new URL(popup.url());
  expect(`${io.origin}${io.pathname}`).toBe("http://localhost:8082/dashboard/app/sandboxPA");
  expect(io.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(io.searchParams.get("redirect_url")).toBe(`${baseURL}/onboarding/redirect`);
  expect(io.searchParams.has("lang")).toBe(false); // docs/i18n.md §5: no Spanish at 360dialog, so it keeps its default
  await expect(page.getByRole("status").filter({ hasText: "La ventana de 360dialog está abierta" })).toBeVisible();

  const phone = uniquePhone();
  const email = `popup-${suffix()}@client.test`;
  const closed = popup.waitForEvent("close");
  await finishSandboxSignup(popup, { email, fullName: "Pia Popup", company: "Popup GmbH", phone });
  await closed; // the redirect page handed the query to this page and closed itself

  await expectStatusPage(page, phone, "es");
  await expect(page.getByRole("main")).toHaveAttribute("lang", "es");
  await expect(page.getByTestId("session-words")).toContainText("Su registro está completo");
  await expect(page.getByTestId("status-number")).toContainText("Creado: 360dialog ya tiene su número y lo está preparando.");

  // The client switches to Brazilian Portuguese; the choice is remembered, so the plain link shows it too.
  await page.getByRole("navigation", { name: "Idioma" }).getByRole("link", { name: "Português (Brasil)" }).click();
  await expect(page).toHaveURL(/\/onboarding\/status\/[A-Za-z0-9_-]{43}\?lang=pt-BR$/);
  await expect(page.getByRole("heading", { name: STATUS_TITLE["pt-BR"], level: 1 })).toBeVisible();
  await expect(page.getByRole("main")).toHaveAttribute("lang", "pt-BR");
  await expect(page.getByRole("heading", { name: "Seu número", level: 2 })).toBeVisible(); // one number: the plural's `one`
  await expect(page.getByTestId("status-number")).toContainText("Criado: a 360dialog já tem seu número e está preparando tudo.");
  await page.goto(page.url().replace(/\?lang=pt-BR$/, ""));
  await expectStatusPage(page, phone, "pt-BR");

  // What the database holds, as staff see it.
  const channel = await sandboxChannelFor(request, phone);
  const row = await channelRow(adminPage, channel.id);
  await expect(row).toContainText(phone);
  await expect(row).toContainText("Popup GmbH");
  const sessions = await clientOnboarding(adminPage, email);
  await expect(sessions).toContainText("popup");
  await expect(sessions).toContainText("completed");
  await expect(sessions).toContainText("no invite (start page or staff)");

  // The number goes live at 360dialog: the webhook reaches the portal and the open status page updates itself.
  const moved = await request.post(`http://localhost:8082/_sandbox/channels/${channel.id}/status`, { data: { status: "running" } });
  expect(moved.status()).toBe(200);
  await expect(page.getByTestId("status-number")).toContainText(/Ativo|Pronto para usar/, { timeout: 30_000 });
  await expect(page).toHaveURL(/\/onboarding\/status\//); // updated in place, no navigation
}
