import { describe, expect, it } from "vitest";
import { echoFormValues, isSecretField } from "./echo";

describe("the values a refused form gets back", () => {
  it("keeps what was typed in ordinary fields, also those whose names merely contain a secret word", () => {
    const form = new FormData();
    const typed: [string, string][] = [
      ["name", "Hub"],
      ["stuckNoKeyMinutes", "99999999"],
      ["wabaSecretIn", "header"],
      ["tokenId", "5f0c"],
      ["confirmWebhookUrlChange", "on"],
    ];
    for (const [name, value] of typed) form.append(name, value);
    expect(echoFormValues(form)).toEqual({ name: "Hub", stuckNoKeyMinutes: "99999999", wabaSecretIn: "header", tokenId: "5f0c", confirmWebhookUrlChange: "on" });
  });

  it("never sends back passwords, keys, secrets, tokens, the repeated password, one-time codes or React's own fields", () => {
    const form = new FormData();
    for (const name of ["password", "currentPassword", "newPassword", "confirm", "apiKey", "platformSecret", "token", "code", "$ACTION_ID_abc"]) form.append(name, "s3cret-value");
    expect(echoFormValues(form)).toEqual({});
    expect(["stuckNoKeyMinutes", "wabaSecretIn", "keyLabel"].filter(isSecretField)).toEqual([]);
  });
});
