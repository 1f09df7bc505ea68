import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ReceivedMail } from "../../test/support/smtp";
import { MAIL_DIR } from "./server-state";

// The mails the portal sent during this run, as the real SMTP server of e2e/global-setup.ts received them.

export function sentMails(): ReceivedMail[] {
  return readdirSync(MAIL_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(MAIL_DIR, f), "utf8")) as ReceivedMail);
}

/** Polls for the first mail the predicate accepts (mail goes out from a job, a moment after the action). */
export async function waitForMail(predicate: (mail: ReceivedMail) => boolean, timeoutMs = 15_000): Promise<ReceivedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = sentMails().find(predicate);
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(`no matching mail within ${timeoutMs} ms (sent: ${sentMails().map((m) => `${m.to.join(",")}: ${m.subject}`).join(" | ") || "none"})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
