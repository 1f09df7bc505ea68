"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { Field, Select } from "@/app/_components/field";
import { Alert, buttonClass, secondaryButtonClass } from "@/app/_components/ui";
import { LOCALES, LOCALE_NAMES, type Locale } from "@/lib/i18n/locales";
import { LOGO_URL_RULE } from "@/lib/onboarding/logo-rule";
import { saveOnboardingSettingsAction } from "./actions";

export type OnboardingFormDefaults = {
  hubId: string;
  trigger: "connect_button" | "popup";
  brandName: string;
  logoUrl: string;
  accentColor: string;
  defaultLang: Locale;
  ioLangs: string;
  solutionId: string;
  metaAppId: string;
  configId: string;
  sdkUrl: string;
  esTier: string;
};

const HEX = /^#[0-9a-fA-F]{6}$/;


/** The colour as text (what is saved) beside a picker that only helps fill it in. */
function AccentColour({ initial, errors }: { initial: string; errors?: string[] }) {
  const [value, setValue] = useState(initial);
  // The picker keeps the last valid colour while the text is being edited or is wrong.
  const [lastValid, setLastValid] = useState(HEX.test(initial) ? initial.toLowerCase() : "#0b6e4c");
  const update = (next: string) => {
    setValue(next);
    if (HEX.test(next)) setLastValid(next.toLowerCase());
  };
  return (
    <div className="flex items-end gap-3">
      <div className="flex-1">
        <Field label="Accent colour" name="accentColor" value={value} onChange={(e) => update(e.target.value)} errors={errors} hint="Buttons and links of the client pages, like #0b6e4c." />
      </div>
      <input type="color" aria-label="Pick a colour" value={lastValid} onChange={(e) => update(e.target.value)} className="mb-5 h-10 w-14 cursor-pointer rounded border border-slate-300 bg-white" />
    </div>
  );
}

export function OnboardingSettingsForm({ defaults, connectButtonNote }: { defaults: OnboardingFormDefaults; connectButtonNote: string | null }) {
  const [state, action, pending] = useActionState(saveOnboardingSettingsAction, undefined);
  const v: Record<string, string> = { ...defaults, ...(state?.values ?? {}) };
  const e = state?.fieldErrors ?? {};
  return (
    <form action={action} noValidate className="space-y-5">
      {state?.message && !state.ok ? <Alert>{state.message}</Alert> : null}
      <input type="hidden" name="hubId" value={defaults.hubId} />
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium text-slate-800">Trigger</legend>
        <div className="flex flex-wrap gap-6 text-sm">
          <label className="flex items-center gap-2">
            <input type="radio" name="trigger" value="connect_button" defaultChecked={v.trigger === "connect_button"} aria-describedby="trigger-button-hint" />
            Official Connect Button
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="trigger" value="popup" defaultChecked={v.trigger !== "connect_button"} aria-describedby="trigger-popup-hint" />
            Portal popup
          </label>
        </div>
        <p id="trigger-button-hint" className="text-xs text-slate-500">
          Official Connect Button: 360dialog&apos;s own button component opens the onboarding.{connectButtonNote ? ` ${connectButtonNote}` : ""}
        </p>
        <p id="trigger-popup-hint" className="text-xs text-slate-500">Portal popup: the portal opens 360dialog in its own popup, with a plain link if the browser blocks it.</p>
        {e.trigger?.length ? <p className="text-xs text-red-700">{e.trigger.join(" ")}</p> : null}
      </fieldset>
      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Brand name" name="brandName" defaultValue={v.brandName} errors={e.brandName} hint="Shown to clients; empty = the hub's name." />
        <Field label="Logo URL" name="logoUrl" type="url" defaultValue={v.logoUrl} errors={e.logoUrl} hint={`${LOGO_URL_RULE}; empty = no logo.`} />
        <AccentColour initial={v.accentColor ?? "#0b6e4c"} errors={e.accentColor} />
        <Select id="onboarding-lang" label="Default language" name="defaultLang" value={v.defaultLang ?? "en"} options={LOCALES.map((l): [string, string] => [l, LOCALE_NAMES[l]])} errors={e.defaultLang} hint="For clients whose browser asks for none of these languages and who chose none." />
        <Field
          label="Languages 360dialog's onboarding takes"
          name="ioLangs"
          defaultValue={v.ioLangs}
          errors={e.ioLangs}
          hint="Codes separated by commas, like en, de, pt. The client's language goes to 360dialog as the closest of these (Brazilian Portuguese as pt); a language not listed is not sent. Empty = never send one."
        />
      </div>
      <fieldset className="space-y-3 rounded-md border border-slate-200 p-4">
        <legend className="px-1 text-sm font-semibold">Embedded Signup (Tech Providers)</legend>
        <p className="text-xs text-slate-500">Only for partners who host Meta&apos;s Embedded Signup themselves. Leave empty otherwise.</p>
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Solution ID" name="solutionId" inputMode="numeric" defaultValue={v.solutionId} errors={e.solutionId} hint="Your Meta multi-partner solution, 14 to 18 digits." />
          <Field label="Meta app ID" name="metaAppId" inputMode="numeric" defaultValue={v.metaAppId} errors={e.metaAppId} />
          <Field label="Configuration ID" name="configId" inputMode="numeric" defaultValue={v.configId} errors={e.configId} hint="The Facebook Login for Business configuration." />
          <Field label="SDK URL" name="sdkUrl" type="url" defaultValue={v.sdkUrl} errors={e.sdkUrl} hint="Empty = Meta's SDK (the sandbox's stand-in for sandbox hubs)." />
          <Select id="onboarding-tier" label="Tier" name="esTier" value={v.esTier ?? ""} options={[["", "Not sent"], ["basic", "basic"], ["regular", "regular"], ["premium", "premium"]]} errors={e.esTier} />
        </div>
      </fieldset>
      <div className="flex gap-3">
        <button type="submit" className={buttonClass} disabled={pending}>{pending ? "Saving…" : "Save onboarding settings"}</button>
        <Link href="/dashboard/settings" className={secondaryButtonClass}>Back to settings</Link>
      </div>
    </form>
  );
}
