import { test, expect } from "./support/fixtures";

test("GET /api/health answers 200 without a session", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toContain("no-store");
  expect(await response.json()).toEqual({ status: "ok", db: "pglite" });
});
