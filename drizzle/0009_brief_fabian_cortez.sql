ALTER TABLE "hubs" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hubs" ADD COLUMN "health" jsonb;--> statement-breakpoint
ALTER TABLE "hubs" ADD COLUMN "last_runs" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "confirmation" text;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "confirmed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "webhook_events_unverified_idx" ON "webhook_events" USING btree ("hub_id","received_at") WHERE "webhook_events"."signature_result" = 'unsigned' and "webhook_events"."status" in ('pending', 'processing', 'failed');