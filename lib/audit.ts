import "server-only";
import { insertAuditEntry, type AuditInput } from "@/db/queries/audit";
import type { Executor } from "@/db/client";

export type Actor = { id: string; email: string };

/** Every action the audit log records: one vocabulary, so the log's filter and a reader can rely on it. */
export const AUDIT_ACTIONS = [
  "auth.sign_in",
  "setup.first_admin",
  "user.created",
  "user.role_changed",
  "user.disabled",
  "user.enabled",
  "user.access_reset",
  "user.invite_accepted",
  "user.password_changed",
  "hub.bootstrapped",
  "hub.created",
  "hub.updated",
  "hub.connection_tested",
  "hub.urls_registered",
  "hub.reconcile_requested",
  "hub.reconciled",
  "hub.waba_webhook_secret_rotated",
  "hub.archived",
  "hub.restored",
  "onboarding.settings_updated",
  "onboarding.embedded_signup_activated",
  "onboarding.completed",
  "invite.created",
  "invite.revoked",
  "channel.added_manually",
  "channel.permission_granted",
  "channel.permission_revoked",
  "channel.permission_restored",
  "channel.waba_webhook_requested",
  "channel.restriction_resolved",
  "api_key.generated",
  "api_key.revealed",
  "api_key.regeneration_requested",
  "api_key.retry_requested",
  "api_key.claimed",
  "api_key.claim_refused",
  "api_token.created",
  "api_token.revoked",
  "template.submitted",
  "template.resubmitted",
  "template.submit_failed",
  "template.sync_requested",
  "webhook.replayed",
  "job.replayed",
  // staff account security (docs/accounts.md §6)
  "auth.second_factor_failed",
  "two_factor.totp_enrolled",
  "two_factor.totp_removed",
  "two_factor.recovery_code_used",
  "two_factor.recovery_codes_regenerated",
  "two_factor.reset_by_admin",
  "passkey.registered",
  "passkey.renamed",
  "passkey.removed",
  "policy.two_factor_changed",
  "password.reset_requested",
  "password.reset_completed",
  "session.ended",
  "session.ended_others",
  "session.ended_all_by_admin",
  // Staff alerts (docs/alerts.md)
  "alert_rule.created",
  "alert_rule.updated",
  "alert_rule.deleted",
  "alert_destination.added",
  "alert_destination.removed",
  "alert.test_sent",
  // Outbound webhooks (docs/outbound-webhooks.md §5).
  "webhook_endpoint.created",
  "webhook_endpoint.updated",
  "webhook_endpoint.deleted",
  "webhook_endpoint.secret_rotated",
  "webhook_endpoint.replayed",
  "webhook_endpoint.test_sent",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Writes one audit_log row in `tx`: the transaction of the change it describes, so the entry commits with it. */
export async function audit(
  tx: Executor,
  entry: Omit<AuditInput, "actorUserId" | "actorLabel" | "action"> & { actor: Actor | "system"; action: AuditAction },
): Promise<void> {
  const { actor, ...rest } = entry;
  await insertAuditEntry({
    db: tx,
    entry: {
      ...rest,
      actorUserId: actor === "system" ? null : actor.id,
      actorLabel: actor === "system" ? "system" : actor.email,
    },
  });
}
