import { z } from "zod";
import type { LiveChange, LiveTopic } from "./types";

// The one shape a change has on the wire (NOTIFY payload and server-sent event). Ids only: a notification is
// visible to every session listening on the database, so it carries no secret and no personal data (docs/security.md R20).

export const liveTopics = ["client", "channel", "webhook", "job", "session", "invite", "template", "api_key"] as const satisfies readonly LiveTopic[];

// Fails to compile when types.ts gains a topic that is missing above.
const everyTopicListed: Exclude<LiveTopic, (typeof liveTopics)[number]> extends never ? true : false = true;
void everyTopicListed;

/** PostgreSQL's NOTIFY payload limit (bytes, in the server encoding). */
export const MAX_NOTIFY_PAYLOAD_BYTES = 8000;

/** A row id: uuid or bigserial here, kept to a plain charset so nothing else can ride along. */
const rowId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a row id");
const uuid = z.guid();

export const liveTopicSchema = z.enum(liveTopics);

export const liveChangeSchema = z.strictObject({
  topic: liveTopicSchema,
  id: rowId,
  hubId: uuid.optional(),
  sessionId: uuid.optional(),
  clientId: uuid.optional(),
}) satisfies z.ZodType<LiveChange>;
