import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TEST_PARTNER, call, onboard, seedPartner, startTestSandbox, waitFor, type TestSandbox } from "@/test/support/sandbox";

// The sandbox's template behaviour where the portal's old guesses broke (docs/templates-meta.md §2, §3):
// in-place edits under Meta's limits, a deleted name held for 30 days, named variables, and every header and
// button Meta holds, stored and listed back as sent.

let t: TestSandbox;
let apiKey = "";
const DAY = 86_400_000;

const fixture = (file: string) => JSON.parse(readFileSync(path.join(process.cwd(), "test/fixtures/templates", file), "utf8")) as Record<string, unknown>;
const strip = ({ _source, ...rest }: Record<string, unknown>) => (void _source, rest);
const post = (json: unknown) => call(t.url, "/v1/configs/templates", { method: "POST", d360: apiKey, json });
const patch = (id: string, json: unknown) => call(t.url, `/v1/configs/templates/${id}`, { method: "PATCH", d360: apiKey, json });
const list = async () => (await call(t.url, "/v1/configs/templates", { d360: apiKey })).body.waba_templates as Record<string, unknown>[];
const body = (text: string) => ({ type: "BODY", text, example: { body_text: [["Ana"]] } });
const simple = (name: string, text = "Hello {{1}}, your order has shipped today.") => ({ name, language: "en", category: "UTILITY", components: [body(text)] });

beforeAll(async () => {
  t = await startTestSandbox({ config: { templateReviewDelayMs: -1 } });
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await call(t.url, "/_sandbox/reset", { method: "POST" });
  await call(t.url, "/_sandbox/config", { method: "POST", json: { templateReviewDelayMs: -1 } });
  await seedPartner(t.url, {});
  const { channelIds } = await onboard(t.url);
  const key = await call(t.url, `/api/v2/partners/${TEST_PARTNER.id}/channels/${channelIds[0] ?? ""}/api_keys`, { method: "POST", key: TEST_PARTNER.apiKey });
  apiKey = String(key.body.api_key);
});

const setStatus = (id: string, status: string) => call(t.url, `/_sandbox/templates/${id}/status`, { method: "POST", json: { status } });

describe("editing a template in place", () => {
  it("edits a rejected template under its id: same name, new components, back to pending", async () => {
    const created = await post(simple("order_note"));
    const id = String(created.body.id);
    await setStatus(id, "rejected");
    const edited = await patch(id, { components: [body("Hi {{1}}, your parcel is on its way to you.")] });
    expect(edited.status).toBe(200);
    expect(edited.body).toEqual({ success: true });
    const [row] = await list();
    expect(row).toMatchObject({ id, name: "order_note", status: "pending", rejected_reason: null, components: [body("Hi {{1}}, your parcel is on its way to you.")] });
    // Rejected and paused templates may be edited again and again.
    await setStatus(id, "paused");
    expect((await patch(id, { components: [body("Hi {{1}}, your parcel left our warehouse today.")] })).status).toBe(200);
  });

  it("edits an approved template once in 24 hours and never its category", async () => {
    const id = String((await post(simple("daily_note"))).body.id);
    await setStatus(id, "approved");
    expect((await patch(id, { category: "MARKETING", components: [body("Hi {{1}}, here is your daily note.")] })).body.error).toMatchObject({ code: 100, error_subcode: 2388060 });
    expect((await patch(id, { components: [body("Hi {{1}}, here is your daily note.")] })).status).toBe(200);
    await setStatus(id, "approved");
    const again = await patch(id, { components: [body("Hi {{1}}, here is your note for today.")] });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 100, error_subcode: 2388060, error_user_title: "Edit limit reached" });
    // A day later one more is allowed; ten in 30 days is the end.
    const record = t.sb.state.templates.get(id)!;
    record.approvedEdits = [new Date(Date.now() - 2 * DAY).toISOString()];
    expect((await patch(id, { components: [body("Hi {{1}}, here is your note for today.")] })).status).toBe(200);
    await setStatus(id, "approved");
    record.approvedEdits = Array.from({ length: 10 }, (_, i) => new Date(Date.now() - (2 + i) * DAY).toISOString());
    expect((await patch(id, { components: [body("Hi {{1}}, here is the note for this day.")] })).body.error?.error_user_msg).toMatch(/10 times in 30 days/);
  });

  it("refuses an edit of a pending template, of name or language, and 404s an unknown id", async () => {
    const id = String((await post(simple("pending_note"))).body.id);
    expect((await patch(id, { components: [body("Hi {{1}}, a new text for this note.")] })).body.error?.error_user_title).toBe("Template can't be edited");
    await setStatus(id, "rejected");
    expect((await patch(id, { name: "other_name", components: [body("Hi {{1}}, a new text for this note.")] })).status).toBe(400);
    expect((await patch("999", { components: [body("Hi {{1}}, a new text for this note.")] })).status).toBe(404);
  });

  it("answers 404 when editing is switched off, as a hub without the call would", async () => {
    const id = String((await post(simple("no_edit_note"))).body.id);
    await setStatus(id, "rejected");
    await call(t.url, "/_sandbox/config", { method: "POST", json: { templateEditing: false } });
    expect((await patch(id, { components: [body("Hi {{1}}, a new text for this note.")] })).status).toBe(404);
    await call(t.url, "/_sandbox/config", { method: "POST", json: { templateEditing: true } });
  });

  it("reviews an edited template again: a fixed 'reject' name is approved", async () => {
    await call(t.url, "/_sandbox/config", { method: "POST", json: { templateReviewDelayMs: 10 } });
    const id = String((await post(simple("please_reject_me"))).body.id);
    await waitFor(() => t.sb.state.templates.get(id)?.status === "rejected", 2000, "rejection");
    await patch(id, { components: [body("Hi {{1}}, the fixed text of this note.")] });
    await waitFor(() => t.sb.state.templates.get(id)?.status === "approved", 2000, "approval after the edit");
  });
});

describe("a deleted name", () => {
  it("is refused in the same language for 30 days with Meta's words, and free again afterwards", async () => {
    const id = String((await post(simple("gone_note"))).body.id);
    expect((await call(t.url, "/v1/configs/templates/gone_note", { method: "DELETE", d360: apiKey })).status).toBe(200);
    expect(await list()).toEqual([]);
    const again = await post(simple("gone_note"));
    const expected = strip(fixture("deleted-name-error.json")) as { error: Record<string, unknown> };
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ ...expected.error, fbtrace_id: expect.any(String) });
    expect((await post(simple("gone_note_v2"))).status).toBe(201);
    t.sb.state.templates.get(id)!.deletedAt = new Date(Date.now() - 31 * DAY).toISOString();
    expect((await post(simple("gone_note"))).status).toBe(201);
  });
});

describe("templates as Meta defines them", () => {
  it("accepts named variables with their named samples and lists parameter_format back", async () => {
    const named = strip(fixture("named-params.json"));
    const res = await post({ ...named, language: "en" });
    expect(res.status).toBe(201);
    const [row] = await list();
    expect(row).toMatchObject({ name: "appointment_reminder", parameter_format: "NAMED", components: named.components });
    const { parameter_format: _omit, ...positional } = named;
    void _omit;
    expect((await post({ ...positional, name: "no_format" })).body.error?.error_subcode).toBe(2388005);
    const missing = structuredClone(named) as { components: { example?: { body_text_named_params?: unknown[] } }[] };
    missing.components[1]!.example!.body_text_named_params = [{ param_name: "customer_name", example: "John" }];
    expect((await post({ ...missing, name: "missing_samples" })).body.error?.error_subcode).toBe(2388006);
  });

  it("stores GIF headers and COPY_CODE, FLOW, CATALOG and MPM buttons and lists them unchanged", async () => {
    const gif = strip(fixture("gif-header.json"));
    expect((await post(gif)).status).toBe(201);
    const page = fixture("buttons.json") as { waba_templates: Record<string, unknown>[] };
    for (const item of page.waba_templates) {
      expect((await post({ name: item.name, language: item.language, category: item.category, components: item.components })).status).toBe(201);
    }
    const byName = new Map((await list()).map((r) => [r.name, r]));
    expect(byName.get("winter_sale_gif")?.components).toEqual(gif.components);
    for (const item of page.waba_templates) expect(byName.get(String(item.name))?.components).toEqual(item.components);
  });
});
