import { LOGO_URL_RULE } from "./logo-rule";
import { describe, expect, it } from "vitest";
import { META_SDK_URL, embeddedSignupSdk, getOnboardingSettings, onboardingSettingsSchema, readStoredOnboardingSettings } from "./settings";

const hub = { name: "Acme Hub", settings: {}, isSandbox: false, partnerApiBaseUrl: "https://hub.360dialog.io" };

describe("onboarding settings", () => {
  it("has defaults", () => {
    expect(readStoredOnboardingSettings({})).toEqual({
      trigger: "popup",
      brandName: "",
      logoUrl: "",
      accentColor: "#0b6e4c",
      defaultLang: "en",
      ioLangs: "en, de, pt",
      solutionId: "",
      metaAppId: "",
      configId: "",
      sdkUrl: "",
      esTier: "",
    });
    const s = getOnboardingSettings(hub);
    expect(s.effective.brandName).toBe("Acme Hub");
    expect(s.effective.sdkUrl).toBe(META_SDK_URL);
    expect(s.effective.sdkMessageOrigins).toEqual(["https://www.facebook.com", "https://web.facebook.com"]);
    expect(embeddedSignupSdk(s)).toBeNull();
  });

  it("points a sandbox hub at the sandbox's SDK stand-in and accepts only its origin", () => {
    const s = getOnboardingSettings({ ...hub, isSandbox: true, partnerApiBaseUrl: "http://127.0.0.1:8082/" });
    expect(s.effective.sdkUrl).toBe("http://127.0.0.1:8082/meta/sdk.js");
    expect(s.effective.sdkMessageOrigins).toEqual(["http://127.0.0.1:8082"]);
  });

  it("reads damaged stored fields as their defaults, field by field", () => {
    const stored = readStoredOnboardingSettings({
      onboarding: { trigger: "connect_button", accentColor: "red", logoUrl: "javascript:alert(1)", solutionId: "123", brandName: 5, defaultLang: "de" },
    });
    expect(stored).toMatchObject({ trigger: "connect_button", accentColor: "#0b6e4c", logoUrl: "", solutionId: "", brandName: "", defaultLang: "de" });
    expect(readStoredOnboardingSettings({ onboarding: "x" }).trigger).toBe("popup");
  });

  it("validates input strictly", () => {
    const ok = onboardingSettingsSchema.parse({
      trigger: "connect_button",
      brandName: " Acme ",
      logoUrl: "https://acme.test/logo.png",
      accentColor: "#AABBCC",
      defaultLang: "de",
      solutionId: "123456789012345",
      metaAppId: "1234",
      configId: "5678",
      sdkUrl: "",
      esTier: "basic",
    });
    expect(ok.brandName).toBe("Acme");
    const s = getOnboardingSettings({ ...hub, settings: { onboarding: ok } });
    expect(embeddedSignupSdk(s)).toEqual({
      appId: "1234",
      configId: "5678",
      solutionId: "123456789012345",
      sdkUrl: META_SDK_URL,
      messageOrigins: ["https://www.facebook.com", "https://web.facebook.com"],
      sessionInfoVersion: "3",
    });
    // Meta's SDK in the client's language (docs/i18n.md §5); a configured URL stays as it is.
    expect(embeddedSignupSdk(s, "es")?.sdkUrl).toBe("https://connect.facebook.net/es_LA/sdk.js");
    expect(embeddedSignupSdk(s, "pt-BR")?.sdkUrl).toBe("https://connect.facebook.net/pt_BR/sdk.js");
    const own = getOnboardingSettings({ ...hub, settings: { onboarding: { ...ok, sdkUrl: "https://sdk.acme.test/sdk.js" } } });
    expect(embeddedSignupSdk(own, "de")?.sdkUrl).toBe("https://sdk.acme.test/sdk.js");
    expect(onboardingSettingsSchema.parse({ defaultLang: "pt-BR", ioLangs: " en,pt_BR " })).toMatchObject({ defaultLang: "pt-BR", ioLangs: "en,pt_BR" });
    for (const bad of [
      { accentColor: "#abc" },
      { logoUrl: "ftp://x.test/a.png" },
      { logoUrl: "javascript:alert(1)" },
      { logoUrl: "http://cdn.acme.test/logo.png" },
      { solutionId: "1234567890123" },
      { solutionId: "1234567890123456789" },
      { metaAppId: "12ab" },
      { sdkUrl: "data:text/javascript,alert(1)" },
      { esTier: "gold" },
      { trigger: "iframe" },
      { defaultLang: "fr" },
      { ioLangs: "en; de" },
      { ioLangs: "english" },
    ]) {
      expect(onboardingSettingsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("takes a logo over https, or over http from localhost only, and says so in the words of the field's help", () => {
    expect(onboardingSettingsSchema.safeParse({ logoUrl: "https://cdn.acme.test/logo.png" }).success).toBe(true);
    expect(onboardingSettingsSchema.safeParse({ logoUrl: "http://localhost:3000/logo.png" }).success).toBe(true);
    const refused = onboardingSettingsSchema.safeParse({ logoUrl: "http://cdn.acme.test/logo.png" });
    expect(refused.error?.issues[0]?.message).toBe(`${LOGO_URL_RULE}.`);
  });
});
