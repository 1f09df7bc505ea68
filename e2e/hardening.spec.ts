import { expect, test } from "./support/fixtures";
import { createUser, roleShownFor, setRole, uniqueEmail, userRow } from "./support/portal";
import { recordServerAction, replayServerAction } from "./support/server-action";

const PROTECTED = ["/dashboard", "/dashboard/users", "/dashboard/settings", "/dashboard/audit", "/dashboard/clients"];
const SUBREQUEST_VARIANTS = [
  "middleware:middleware:middleware:middleware:middleware",
  "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware",
  "proxy:proxy:proxy:proxy:proxy",
  "middleware",
];

test("x-middleware-subrequest never lets an anonymous request into the dashboard (R27)", async ({ newContext }) => {
  const anonymous = (await newContext()).request;
  let tried = 0;
  for (const path of PROTECTED) {
    for (const value of SUBREQUEST_VARIANTS) {
      const res = await anonymous.get(path, { headers: { "x-middleware-subrequest": value }, maxRedirects: 0 });
      tried++;
      const body = await res.text();
      expect(res.status(), `${path} with ${value}`).not.toBe(200);
      expect(body).not.toContain("Sign out");
    }
  }
  expect(tried).toBe(PROTECTED.length * SUBREQUEST_VARIANTS.length);
});

test("pages carry a fresh CSP nonce, the right opener policy and the basic hardening headers (R15, R16, R28)", async ({ newContext }) => {
  const request = (await newContext()).request;
  const first = await request.get("/login");
  const second = await request.get("/login");
  const nonceOf = (csp: string | undefined) => /'nonce-([^']+)'/.exec(csp ?? "")?.[1];
  const csp = first.headers()["content-security-policy"];
  expect(csp).toContain("'strict-dynamic'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(nonceOf(csp)).toBeTruthy();
  expect(nonceOf(second.headers()["content-security-policy"])).not.toBe(nonceOf(csp));
  expect(await first.text()).toContain(`nonce="${nonceOf(csp)}"`);
  expect(first.headers()["x-content-type-options"]).toBe("nosniff");
  expect(first.headers()["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(first.headers()["strict-transport-security"]).toContain("max-age=");
  expect(first.headers()["cross-origin-opener-policy"]).toBe("same-origin");
  expect((await request.get("/")).headers()["cross-origin-opener-policy"]).toBe("unsafe-none");
});

test("a server action sent from another origin is refused and changes nothing (R25)", async ({ adminPage }) => {
  const target = uniqueEmail("csrf-target");
  await createUser(adminPage, { email: target, role: "viewer", method: "invite" });
  await adminPage.goto("/dashboard/users");
  const row = userRow(adminPage, target);
  await row.getByLabel(`Role of ${target}`, { exact: true }).selectOption("operator");
  const roleChange = await recordServerAction(adminPage, () => row.getByRole("button", { name: `Save role of ${target}` }).click());
  await expect(row.getByRole("status")).toHaveText("Role saved.");
  await setRole(adminPage, target, "viewer");

  const forged = await replayServerAction(adminPage.context().request, {
    ...roleChange,
    headers: { ...roleChange.headers, origin: "https://evil.test" },
  });
  expect(forged.text).not.toContain("Role saved.");
  expect(forged.status).toBeGreaterThanOrEqual(400);
  expect(await roleShownFor(adminPage, target)).toBe("viewer");
});
