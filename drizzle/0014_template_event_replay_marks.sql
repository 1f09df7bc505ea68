ALTER TABLE "template_events" ADD COLUMN "webhook_event_id" uuid;--> statement-breakpoint
ALTER TABLE "template_events" ADD COLUMN "replayed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "template_events" ADD COLUMN "replayed_by" text;--> statement-breakpoint
ALTER TABLE "template_events" ADD CONSTRAINT "template_events_webhook_event_id_webhook_events_id_fk" FOREIGN KEY ("webhook_event_id") REFERENCES "public"."webhook_events"("id") ON DELETE set null ON UPDATE no action;