"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { PUBLIC_EVENT_TYPES } from "@/lib/events/catalogue";
import { validatedAction } from "@/lib/forms/validated-action";
import { createEndpoint, deleteEndpoint, replayDelivery, replaySince, rotateEndpointSecret, sendTestEvent, updateEndpoint } from "@/lib/outbound/endpoints";

// Settings → Webhooks (docs/outbound-webhooks.md §4): server actions, so every form works before JS loads.

export type IssuedSecret = { endpointId: string; secret: string };

// Event types arrive as one checkbox each (`type_channel.running` = "on"); none ticked, or "all": every type.
const endpointFields = z.preprocess(
  (raw) => {
    const form = raw as Record<string, unknown>;
    const ticked = PUBLIC_EVENT_TYPES.filter((t) => form[`type_${t}`] === "on");
    return { ...form, eventTypes: form.allTypes === "on" || ticked.length === 0 ? null : ticked, hubId: form.hubId ? form.hubId : null };
  },
  z.object({ url: z.string(), description: z.string().optional(), eventTypes: z.array(z.string()).nullable(), hubId: z.string().nullable(), enabled: z.string().optional(), endpointId: z.string().optional() }),
);

const BASE = "/dashboard/settings/webhooks";

export const createEndpointAction = validatedAction<typeof endpointFields, IssuedSecret>(endpointFields, "admin", async (input, actor) => {
  const created = await createEndpoint(actor, { url: input.url, description: input.description, eventTypes: input.eventTypes, hubId: input.hubId });
  revalidatePath(BASE);
  return { ok: true, message: "Endpoint added. Copy its signing secret now: it is shown only this once.", data: { endpointId: created.endpoint.id, secret: created.secret } };
});

export const updateEndpointAction = validatedAction(endpointFields, "admin", async (input, actor) => {
  const id = z.uuid().parse(input.endpointId);
  await updateEndpoint(actor, id, { url: input.url, description: input.description ?? "", eventTypes: input.eventTypes, hubId: input.hubId, enabled: input.enabled === "on" });
  revalidatePath(`${BASE}/${id}`);
  return { ok: true, message: "Endpoint saved." };
});

const idSchema = z.object({ endpointId: z.uuid() });

export const deleteEndpointAction = validatedAction(idSchema, "admin", async (input, actor) => {
  await deleteEndpoint(actor, input.endpointId);
  revalidatePath(BASE);
  return { ok: true, message: "Endpoint deleted; nothing more is sent to it." };
});

const rotateSchema = z.object({ endpointId: z.uuid(), overlapHours: z.string() });

export const rotateSecretAction = validatedAction<typeof rotateSchema, IssuedSecret>(rotateSchema, "admin", async (input, actor) => {
  const rotated = await rotateEndpointSecret(actor, input.endpointId, { overlapHours: input.overlapHours });
  revalidatePath(`${BASE}/${input.endpointId}`);
  return { ok: true, message: "New secret made. Copy it now: it is shown only this once.", data: { endpointId: input.endpointId, secret: rotated.secret } };
});

export const sendTestAction = validatedAction(idSchema, "admin", async (input, actor) => {
  await sendTestEvent(actor, input.endpointId);
  revalidatePath(`${BASE}/${input.endpointId}`);
  return { ok: true, message: "Test event queued: it appears in the delivery log below in a moment." };
});

const replayOneSchema = z.object({ endpointId: z.uuid(), deliveryId: z.uuid() });

export const replayDeliveryAction = validatedAction(replayOneSchema, "admin", async (input, actor) => {
  await replayDelivery(actor, input.endpointId, input.deliveryId);
  revalidatePath(`${BASE}/${input.endpointId}`);
  return { ok: true, message: "Replay queued." };
});

const replaySinceSchema = z.object({ endpointId: z.uuid(), since: z.string().min(1, "Give a date and time.") });

export const replaySinceAction = validatedAction(replaySinceSchema, "admin", async (input, actor) => {
  // datetime-local has no zone: read as UTC, as the form says.
  const since = new Date(/[zZ]|[+-]\d{2}:\d{2}$/.test(input.since) ? input.since : `${input.since}Z`);
  const result = await replaySince(actor, input.endpointId, since);
  revalidatePath(`${BASE}/${input.endpointId}`);
  return { ok: true, message: `${result.queued} event(s) queued again${result.truncated ? " (the first 10,000; replay again from a later time for the rest)" : ""}.` };
});
