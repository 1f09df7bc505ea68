import type { APIRequestContext, Page } from "@playwright/test";

/** A server action request as the browser sent it, to replay from another session. */
export type RecordedAction = { url: string; headers: Record<string, string>; body: Buffer };

const REPLAYED_HEADERS = ["next-action", "next-router-state-tree", "content-type", "accept", "origin"];

/** Runs `trigger` and captures the server action POST (the one carrying a `next-action` header) it causes. */
export async function recordServerAction(page: Page, trigger: () => Promise<void>): Promise<RecordedAction> {
  const requested = page.waitForRequest((r) => r.method() === "POST" && r.headers()["next-action"] !== undefined);
  await trigger();
  const request = await requested;
  const all = await request.allHeaders();
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) if (all[name] !== undefined) headers[name] = all[name];
  const body = request.postDataBuffer();
  if (!body) throw new Error("the server action request had no body");
  return { url: request.url(), headers, body };
}

/** Sends a recorded action with another request context's cookies (or none) and returns status and body text. */
export async function replayServerAction(
  request: APIRequestContext,
  action: RecordedAction,
  body: Buffer = action.body,
): Promise<{ status: number; location: string | undefined; text: string }> {
  const response = await request.post(action.url, { headers: action.headers, data: body, maxRedirects: 0 });
  return { status: response.status(), location: response.headers()["location"], text: await response.text() };
}
