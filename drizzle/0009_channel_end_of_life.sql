ALTER TABLE "api_keys" ADD COLUMN "revoked_reason" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "restricted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "cancellation" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "cancellation_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "terminates_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "quality_rating" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "messaging_limit" text;--> statement-breakpoint
CREATE INDEX "channels_stuck_restricted_idx" ON "channels" USING btree ("hub_id","restricted_at") WHERE "channels"."restricted" and "channels"."cancellation" is null;--> statement-breakpoint
CREATE INDEX "channels_stuck_unknown_status_idx" ON "channels" USING btree ("hub_id","status_changed_at") WHERE "channels"."status" not in ('created', 'unverified', 'submitted', 'verified', 'ready', 'running', 'live') and "channels"."cancellation" is null;--> statement-breakpoint
CREATE INDEX "channels_cancellation_idx" ON "channels" USING btree ("cancellation","status_changed_at","id") WHERE "channels"."cancellation" is not null;--> statement-breakpoint
CREATE INDEX "channels_quality_idx" ON "channels" USING btree ("quality_rating","status_changed_at","id") WHERE "channels"."quality_rating" is not null;--> statement-breakpoint
CREATE INDEX "channels_limit_idx" ON "channels" USING btree ("messaging_limit","status_changed_at","id") WHERE "channels"."messaging_limit" is not null;