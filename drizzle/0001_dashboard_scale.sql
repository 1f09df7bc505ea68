CREATE TABLE "channel_status_counts" (
	"hub_id" uuid NOT NULL,
	"status" text NOT NULL,
	"n" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "channel_status_counts_hub_id_status_pk" PRIMARY KEY("hub_id","status")
);
--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "has_active_key" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "channel_status_counts" ADD CONSTRAINT "channel_status_counts_hub_id_hubs_id_fk" FOREIGN KEY ("hub_id") REFERENCES "public"."hubs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "channels_status_changed_idx" ON "channels" USING btree ("status","status_changed_at","id");--> statement-breakpoint
CREATE INDEX "channels_changed_idx" ON "channels" USING btree ("status_changed_at","id");--> statement-breakpoint
CREATE INDEX "channels_external_idx" ON "channels" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "channels_other_status_idx" ON "channels" USING btree ("status_changed_at","id") WHERE "channels"."status" not in ('created', 'unverified', 'submitted', 'verified', 'ready', 'running');--> statement-breakpoint
CREATE INDEX "channels_stuck_not_running_idx" ON "channels" USING btree ("hub_id","created_at") WHERE "channels"."status" in ('created', 'unverified', 'submitted', 'verified', 'ready');--> statement-breakpoint
CREATE INDEX "channels_stuck_no_key_idx" ON "channels" USING btree ("hub_id","status_changed_at") WHERE "channels"."permission" = 'granted' and not "channels"."has_active_key" and "channels"."status_rank" >= 50;--> statement-breakpoint
CREATE INDEX "channels_stuck_no_permission_idx" ON "channels" USING btree ("hub_id","created_at") WHERE "channels"."permission" <> 'granted';--> statement-breakpoint
CREATE INDEX "clients_created_idx" ON "clients" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "clients_name_prefix_idx" ON "clients" USING btree (lower("name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "clients_email_prefix_idx" ON "clients" USING btree (lower("email") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "clients_external_lower_idx" ON "clients" USING btree (lower("external_id"));--> statement-breakpoint
CREATE INDEX "webhook_events_received_idx" ON "webhook_events" USING btree ("received_at","id");