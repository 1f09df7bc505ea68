"use client";

import { useActionState } from "react";
import { Field } from "@/app/_components/field";
import { Alert, buttonClass, inputClass, secondaryButtonClass } from "@/app/_components/ui";
import {
  addAlertDestinationAction,
  createAlertRuleAction,
  deleteAlertRuleAction,
  removeAlertDestinationAction,
  testAlertDestinationAction,
  updateAlertRuleAction,
} from "./actions";

type Condition = { id: string; words: string };
type RuleValues = { id: string; name: string; conditions: string[]; mode: string; digestHour: number; enabled: boolean };

/** New rule (with a hub) or an existing rule's settings (with its id). */
export function RuleForm({ conditions, hubs, rule }: { conditions: Condition[]; hubs?: { id: string; name: string }[]; rule?: RuleValues }) {
  const [state, action, pending] = useActionState(rule ? updateAlertRuleAction : createAlertRuleAction, undefined);
  const e = state?.fieldErrors ?? {};
  const v = state && !state.ok ? (state.values ?? {}) : undefined;
  const prefix = rule ? `rule-${rule.id}` : "new-rule";
  const checked = (c: string) => (v ? v[`cond_${c}`] === "on" : (rule?.conditions.includes(c) ?? false));
  return (
    <form action={action} className="space-y-3" aria-label={rule ? `Settings of ${rule.name}` : "New alert rule"} key={state?.ok && !rule ? state.message : "form"}>
      {state?.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
      {rule ? <input type="hidden" name="ruleId" value={rule.id} /> : null}
      {hubs ? (
        <div className="space-y-1">
          <label htmlFor={`${prefix}-hub`} className="block text-sm font-medium">Hub</label>
          <select id={`${prefix}-hub`} name="hubId" defaultValue={v?.hubId ?? hubs[0]?.id ?? ""} className={inputClass}>
            {hubs.map((h) => (
              <option key={h.id} value={h.id}>{h.name}</option>
            ))}
          </select>
          {e.hubId ? <p className="text-xs text-red-700">{e.hubId.join(" ")}</p> : null}
        </div>
      ) : null}
      <Field id={`${prefix}-name`} label="Name" name="name" required maxLength={100} defaultValue={v?.name ?? rule?.name} errors={e.name} />
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium">Alert when</legend>
        {conditions.map((c) => (
          <label key={c.id} className="flex items-center gap-2 text-sm">
            <input type="checkbox" name={`cond_${c.id}`} defaultChecked={checked(c.id)} /> {c.words}
          </label>
        ))}
        {e.conditions ? <p className="text-xs text-red-700">{e.conditions.join(" ")}</p> : null}
      </fieldset>
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium">Send</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="mode" value="immediate" defaultChecked={(v?.mode ?? rule?.mode ?? "immediate") === "immediate"} /> At once, one message per alert
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="mode" value="digest" defaultChecked={(v?.mode ?? rule?.mode) === "digest"} /> As a daily digest
        </label>
        {e.mode ? <p className="text-xs text-red-700">{e.mode.join(" ")}</p> : null}
      </fieldset>
      <Field
        id={`${prefix}-hour`}
        label="Digest hour (UTC)"
        name="digestHour"
        type="number"
        min={0}
        max={23}
        defaultValue={v?.digestHour ?? String(rule?.digestHour ?? 7)}
        errors={e.digestHour}
        hint="Daily digests go out once a day from this hour on; immediate rules ignore it."
      />
      {rule ? (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="enabled" defaultChecked={v ? v.enabled === "on" : rule.enabled} /> Enabled
        </label>
      ) : null}
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? "Saving…" : rule ? "Save rule" : "Create rule"}
      </button>
    </form>
  );
}

export function DeleteRuleButton({ ruleId, name }: { ruleId: string; name: string }) {
  const [state, action, pending] = useActionState(deleteAlertRuleAction, undefined);
  return (
    <form action={action}>
      <input type="hidden" name="ruleId" value={ruleId} />
      <button type="submit" className={secondaryButtonClass} disabled={pending} aria-label={`Delete rule ${name}`}>
        Delete rule
      </button>
      {state?.message && !state.ok ? <p className="text-xs text-red-700">{state.message}</p> : null}
    </form>
  );
}

export function AddDestinationForm({ ruleId, ruleName, mailConfigured }: { ruleId: string; ruleName: string; mailConfigured: boolean }) {
  const [state, action, pending] = useActionState(addAlertDestinationAction, undefined);
  const e = state?.fieldErrors ?? {};
  const v = state && !state.ok ? (state.values ?? {}) : {};
  return (
    <form action={action} className="space-y-2" aria-label={`Add a destination to ${ruleName}`} key={state?.ok ? state.message : "form"}>
      {state?.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
      <input type="hidden" name="ruleId" value={ruleId} />
      <div className="flex flex-wrap items-end gap-2">
        <div className="space-y-1">
          <label htmlFor={`dest-kind-${ruleId}`} className="block text-sm font-medium">Kind</label>
          <select id={`dest-kind-${ruleId}`} name="kind" defaultValue={v.kind ?? "email"} className={inputClass}>
            <option value="email">Email address{mailConfigured ? "" : " (mail is not configured)"}</option>
            <option value="slack">Slack incoming webhook URL</option>
          </select>
        </div>
        <div className="min-w-72 flex-1">
          <Field id={`dest-target-${ruleId}`} label="Address or webhook URL" name="target" required maxLength={500} defaultValue={v.target} errors={e.target} />
        </div>
        <button type="submit" className={secondaryButtonClass} disabled={pending}>
          Add destination
        </button>
      </div>
    </form>
  );
}

export function DestinationButtons({ destinationId, label }: { destinationId: string; label: string }) {
  const [test, testAction, testing] = useActionState(testAlertDestinationAction, undefined);
  const [removed, removeAction, removing] = useActionState(removeAlertDestinationAction, undefined);
  return (
    <div className="space-y-1">
      <div className="flex gap-2">
        <form action={testAction}>
          <input type="hidden" name="destinationId" value={destinationId} />
          <button type="submit" className={secondaryButtonClass} disabled={testing} aria-label={`Send test to ${label}`}>
            {testing ? "Sending…" : "Send test"}
          </button>
        </form>
        <form action={removeAction}>
          <input type="hidden" name="destinationId" value={destinationId} />
          <button type="submit" className={secondaryButtonClass} disabled={removing} aria-label={`Remove ${label}`}>
            Remove
          </button>
        </form>
      </div>
      {test?.message ? (
        <p role="status" data-testid="alert-test-outcome" className={test.ok ? "text-xs text-green-700" : "text-xs text-red-700"}>
          {test.message}
        </p>
      ) : null}
      {removed?.message && !removed.ok ? <p className="text-xs text-red-700">{removed.message}</p> : null}
    </div>
  );
}
