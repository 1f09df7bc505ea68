import type { Locator, Page, Response } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import {
  LANDING,
  SANDBOX_HUB,
  createInvite,
  expectStatusPage,
  finishSandboxSignup,
  inviteRow,
  openConnectPopup,
  setOnboarding,
  suffix,
  uniquePhone,
} from "./support/onboarding";

// An onboarding session (with its state, IO Signature and invite use) is made by the client's
// click, never by viewing the page, with either trigger; a later start from the same browser reopens that
// session instead of taking another use. What the database holds is read from the staff invite page.

type Start = { sessionId: string; state: string };

/** Every start request of a page, and the sessions the portal answered with. */
function watchStarts(page: Page): { requests: () => number; starts: Start[] } {
  let requests = 0;
  const starts: Start[] = [];
  page.on("request", (req) => {
    if (req.url().endsWith("/api/onboarding/sessions")) requests++;
  });
  page.on("response", async (res: Response) => {
    if (!res.url().endsWith("/api/onboarding/sessions") || res.status() !== 201) return;
    const body = (await res.json()) as Start;
    starts.push({ sessionId: body.sessionId, state: body.state });
  });
  return { requests: () => requests, starts };
}

/** Invites → the invite: its card (uses) and one region per onboarding session. */
async function inviteDetail(admin: Page, label: string): Promise<{ main: Locator; sessions: Locator }> {
  await (await inviteRow(admin, label)).getByRole("link", { name: label }).click();
  const main = admin.getByRole("main");
  await expect(main.getByRole("heading", { name: label, level: 1 })).toBeVisible();
  return { main, sessions: main.getByRole("region", { name: /^Session \d+$/ }) };
}

/** Loads the link and reloads it three times; each time the action is offered and nothing is started. */
async function viewFourTimes(page: Page, link: string, watched: { requests: () => number }): Promise<void> {
  await page.goto(link);
  for (let i = 0; i < 4; i++) {
    if (i > 0) await page.reload();
    await expect(page.getByRole("button", { name: LANDING.en.action })).toBeEnabled();
  }
  await page.waitForLoadState("networkidle");
  expect(watched.requests()).toBe(0);
}

async function expectNothingStarted(admin: Page, label: string): Promise<void> {
  const { main, sessions } = await inviteDetail(admin, label);
  await expect(main).toContainText("0 of 1");
  await expect(main.getByText("No onboarding started yet")).toBeVisible();
  await expect(sessions).toHaveCount(0);
}

test("Connect Button, one-use invite: views make nothing; the click makes the one session, later clicks reopen it, and it works once", async ({ adminPage, newContext }) => {
  test.setTimeout(90_000);
  await setOnboarding(adminPage, SANDBOX_HUB, { trigger: "connect_button" });
  try {
    const label = `Click only ${suffix()}`;
    const link = await createInvite(adminPage, { hubName: SANDBOX_HUB, label, maxUses: 1 });
    const page = await (await newContext()).newPage();
    const watched = watchStarts(page);
    await viewFourTimes(page, link, watched);
    await expectNothingStarted(adminPage, label);

    const popup = await openConnectPopup(page);
    await expect.poll(() => watched.starts.length).toBe(1);
    const first = watched.starts[0]!;
    expect(new URL(popup.url()).searchParams.get("state")).toBe(first.state);
    expect(new URL(popup.url()).searchParams.get("redirect_url")).toBe(link);

    // A click while the window is open brings it to the front: no start.
    await page.getByRole("button", { name: LANDING.en.action }).click();
    await expect(page.getByRole("status").filter({ hasText: "already open" })).toBeVisible();
    expect(watched.requests()).toBe(1);

    // Closed without finishing, then clicked again: the same session, with a new state (the old one is dead).
    await popup.close();
    const second = await openConnectPopup(page);
    await expect.poll(() => watched.starts.length).toBe(2);
    expect(watched.starts[1]!.sessionId).toBe(first.sessionId);
    expect(watched.starts[1]!.state).not.toBe(first.state);
    expect(new URL(second.url()).searchParams.get("state")).toBe(watched.starts[1]!.state);

    // Reloaded meanwhile: the link took its one use, but this browser's own session keeps the action open, and
    // the click points the window still open at the session's newest URL.
    await page.reload();
    await page.getByRole("button", { name: LANDING.en.action }).click();
    await expect.poll(() => watched.starts.length).toBe(3);
    const third = watched.starts[2]!;
    expect(third.sessionId).toBe(first.sessionId);
    await expect.poll(() => new URL(second.url()).searchParams.get("state")).toBe(third.state);

    const phone = uniquePhone();
    const closed = second.waitForEvent("close");
    await finishSandboxSignup(second, { email: `once-${suffix()}@client.test`, fullName: "Olga Once", company: "Once GmbH", phone });
    await closed;
    await expectStatusPage(page, phone);

    // One use, one session (the funnel's "started"), completed.
    const { main, sessions } = await inviteDetail(adminPage, label);
    await expect(main).toContainText("1 of 1");
    await expect(sessions).toHaveCount(1);
    await expect(sessions.first()).toContainText("Session 1: Connect Button");
    await expect(sessions.first()).toContainText("Completed: client and numbers linked");

    // Used once: another browser is refused.
    const other = await (await newContext()).newPage();
    await other.goto(link);
    await expect(other.getByRole("heading", { name: "This invite link does not work" })).toBeVisible();
    await expect(other.getByText("This invite link has already been used.")).toBeVisible();
  } finally {
    await setOnboarding(adminPage, SANDBOX_HUB, { trigger: "popup" });
  }
});

test("portal popup, one-use invite: views make nothing; a second click after closing the window reopens the same session", async ({ adminPage, newContext }) => {
  const label = `Popup click ${suffix()}`;
  const link = await createInvite(adminPage, { hubName: SANDBOX_HUB, label, maxUses: 1 });
  const page = await (await newContext()).newPage();
  const watched = watchStarts(page);
  await viewFourTimes(page, link, watched);
  await expectNothingStarted(adminPage, label);

  const popup = await openConnectPopup(page);
  await expect.poll(() => watched.starts.length).toBe(1);
  expect(new URL(popup.url()).searchParams.get("state")).toBe(watched.starts[0]!.state);
  await popup.close();
  const again = await openConnectPopup(page);
  await expect.poll(() => watched.starts.length).toBe(2);
  expect(watched.starts[1]!.sessionId).toBe(watched.starts[0]!.sessionId);
  expect(new URL(again.url()).searchParams.get("state")).toBe(watched.starts[1]!.state);

  const { main, sessions } = await inviteDetail(adminPage, label);
  await expect(main).toContainText("1 of 1");
  await expect(sessions).toHaveCount(1);
  await expect(sessions.first()).toContainText("Session 1: Portal popup");
});
