import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSmtpServer, type TestSmtpServer } from "@/test/support/smtp";
import { resetEnvForTests } from "../env";
import { mailSendHandler } from "./queue";
import { mailConfigured, sendMail } from "./send";

// Through a real SMTP server on loopback (test/support/smtp.ts): nodemailer, the socket, the server's parser.

let smtp: TestSmtpServer;
const saved = { url: process.env.SMTP_URL, from: process.env.MAIL_FROM };

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});
afterEach(() => {
  process.env.SMTP_URL = saved.url ?? "";
  process.env.MAIL_FROM = saved.from ?? "";
  if (saved.from === undefined) delete process.env.MAIL_FROM;
  resetEnvForTests();
});

function useSmtp(url: string) {
  process.env.SMTP_URL = url;
  process.env.MAIL_FROM = "Acme portal <portal@acme.test>";
  resetEnvForTests();
}

describe("sendMail", () => {
  it("delivers text and html to the SMTP server, from MAIL_FROM, with a long link intact", async () => {
    useSmtp(smtp.url);
    const link = `https://portal.acme.test/reset/${"x".repeat(120)}?a=1&b=2`;
    const result = await sendMail({ to: "ops@acme.test", subject: "Link test", text: `Open ${link} now.`, html: `<p><a href="${link}">open</a></p>` });
    expect(result.sent).toBe(true);
    const mail = await smtp.waitFor((m) => m.subject === "Link test");
    expect(mail.to).toEqual(["ops@acme.test"]);
    expect(mail.from).toContain("portal@acme.test");
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
  });

  it("says when mail is not configured and sends nothing", async () => {
    useSmtp("");
    const before = smtp.messages.length;
    expect(mailConfigured()).toBe(false);
    await expect(sendMail({ to: "ops@acme.test", subject: "nope", text: "x" })).resolves.toEqual({ sent: false, reason: "not_configured" });
    expect(smtp.messages.length).toBe(before);
  });

  it("throws when the server refuses the credentials, so a queued mail is retried", async () => {
    useSmtp(smtp.url.replace("portal:test", "portal:wrong"));
    await expect(sendMail({ to: "ops@acme.test", subject: "refused", text: "x" })).rejects.toThrow();
    expect(smtp.messages.some((m) => m.subject === "refused")).toBe(false);
  });

  it("a queued mail's job fails without SMTP and sends with it", async () => {
    const job = { id: "j1", kind: "mail.send" as const, attempt: 1, maxAttempts: 8, payload: { to: "a@acme.test", subject: "Queued", text: "hello" } };
    useSmtp("");
    await expect(mailSendHandler(job)).rejects.toThrow(/SMTP_URL/);
    useSmtp(smtp.url);
    await mailSendHandler(job);
    await expect(smtp.waitFor((m) => m.subject === "Queued")).resolves.toMatchObject({ to: ["a@acme.test"], text: "hello\n" });
  });
});
