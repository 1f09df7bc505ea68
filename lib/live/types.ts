// Live updates: a change committed by any portal instance reaches every open dashboard and client status page.
// Publishers call publishChange(tx, change) inside the transaction that made the change (PostgreSQL delivers
// NOTIFY at commit, so nobody hears of a change that was rolled back).

export const LIVE_CHANNEL = "portal_changes";

export type LiveTopic = "client" | "channel" | "webhook" | "job" | "session" | "invite" | "template" | "api_key";

export type LiveChange = {
  topic: LiveTopic;
  /** Row id of the thing that changed. */
  id: string;
  hubId?: string;
  /** Extra routing keys, e.g. the onboarding session a channel belongs to. */
  sessionId?: string;
  clientId?: string;
};
