"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import {
  addAlertDestination,
  createAlertRule,
  removeAlertDestination,
  removeAlertRule,
  sendTestAlert,
  updateAlertRuleSettings,
} from "@/lib/alerts/rules";
import { ALERT_CONDITIONS } from "@/lib/alerts/conditions";
import { validatedAction } from "@/lib/forms/validated-action";

const PATH = "/dashboard/settings/alerts";

// Conditions arrive as one checkbox each (`cond_number_stuck` = "on"), the switch as `enabled` = "on".
const ruleSchema = z.preprocess(
  (raw) => {
    const form = raw as Record<string, unknown>;
    return { ...form, conditions: ALERT_CONDITIONS.filter((c) => form[`cond_${c}`] === "on"), enabled: form.enabled === "on" };
  },
  z.object({
    ruleId: z.string().optional(),
    hubId: z.string().optional(),
    name: z.string(),
    conditions: z.array(z.string()),
    mode: z.string(),
    digestHour: z.string().optional(),
    enabled: z.boolean(),
  }),
);

type RuleFields = z.infer<typeof ruleSchema>;
const ruleInput = (input: RuleFields) => ({
  name: input.name,
  conditions: input.conditions as (typeof ALERT_CONDITIONS)[number][],
  mode: input.mode as "immediate" | "digest",
  digestHour: input.digestHour,
  enabled: input.enabled,
});

export const createAlertRuleAction = validatedAction(ruleSchema, "admin", async (input, actor) => {
  const rule = await createAlertRule(actor, input.hubId ?? "", { ...ruleInput(input), enabled: true });
  revalidatePath(PATH);
  return { ok: true, message: `Rule "${rule.name}" created. Add a destination to it below.` };
});

export const updateAlertRuleAction = validatedAction(ruleSchema, "admin", async (input, actor) => {
  const rule = await updateAlertRuleSettings(actor, input.ruleId ?? "", ruleInput(input));
  revalidatePath(PATH);
  return { ok: true, message: `Rule "${rule.name}" saved.` };
});

export const deleteAlertRuleAction = validatedAction(z.object({ ruleId: z.string() }), "admin", async (input, actor) => {
  await removeAlertRule(actor, input.ruleId);
  revalidatePath(PATH);
  return { ok: true, message: "Rule deleted." };
});

export const addAlertDestinationAction = validatedAction(z.object({ ruleId: z.string(), kind: z.string(), target: z.string() }), "admin", async (input, actor) => {
  const destination = await addAlertDestination(actor, input.ruleId, { kind: input.kind, target: input.target });
  revalidatePath(PATH);
  return { ok: true, message: `${destination.label} added.` };
});

export const removeAlertDestinationAction = validatedAction(z.object({ destinationId: z.string() }), "admin", async (input, actor) => {
  await removeAlertDestination(actor, input.destinationId);
  revalidatePath(PATH);
  return { ok: true, message: "Destination removed." };
});

export const testAlertDestinationAction = validatedAction(z.object({ destinationId: z.string() }), "admin", async (input, actor) => {
  const outcome = await sendTestAlert(actor, input.destinationId);
  revalidatePath(PATH);
  return { ok: outcome.sent, message: outcome.words };
});
